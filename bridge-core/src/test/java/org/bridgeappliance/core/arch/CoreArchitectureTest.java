package org.bridgeappliance.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** bridge-core stays free of frameworks, protocol libraries and JDBC (DESIGN.md); the enforcer guards the pom. */
class CoreArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.bridgeappliance.core");

    @Test
    void coreDependsOnNoFrameworkProtocolLibraryOrJdbc() {
        noClasses().that().resideInAPackage("org.bridgeappliance.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.micronaut..", "org.jivesoftware..",
                        "org.jxmpp..", "javax.sip..", "gov.nist..", "java.sql..", "javax.sql..")
                .because("bridge-core is the protocol-neutral core; adapters and mapping hold those dependencies")
                .check(CORE);
    }

    @Test
    void theRouterKnowsNoAdapter() {
        noClasses().that().resideInAPackage("org.bridgeappliance.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.bridgeappliance.adapter..",
                        "org.bridgeappliance.mapping..", "org.bridgeappliance.admin..", "org.bridgeappliance.deploy..")
                .check(CORE);
    }
}
