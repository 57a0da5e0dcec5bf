package org.bridgeappliance.core.testing;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * Import-cycle checks (ArchUnit) for a module's production classes under one root package: none between two
 * classes (a class and its nested classes count as one), none between sub-packages of the root. A module that
 * uses it adds {@code archunit-junit5} to its test dependencies (a test jar brings none of its own).
 */
public final class ImportCycles {

    private ImportCycles() {
    }

    /** The production classes under {@code root}. */
    public static JavaClasses of(String root) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(root);
    }

    /** Fails if two top-level classes under {@code root} import each other, directly or through others. */
    public static void assertNoClassCycle(String root, JavaClasses classes) {
        slices().assignedFrom(topLevelClasses(root)).should().beFreeOfCycles().check(classes);
    }

    /** Fails if two sub-packages of {@code root} (each package its own slice; the root itself left out) do. */
    public static void assertNoSubPackageCycle(String root, JavaClasses classes) {
        slices().matching(root + ".(**)").should().beFreeOfCycles().check(classes);
    }

    private static SliceAssignment topLevelClasses(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return javaClass.getName().startsWith(root + ".")
                        ? SliceIdentifier.of(javaClass.getName().split("\\$", 2)[0]) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "top-level classes of " + root;
            }
        };
    }
}
