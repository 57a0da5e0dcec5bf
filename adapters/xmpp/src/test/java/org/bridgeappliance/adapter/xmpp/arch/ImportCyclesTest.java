package org.bridgeappliance.adapter.xmpp.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.bridgeappliance.core.testing.ImportCycles;
import org.junit.jupiter.api.Test;

/**
 * No import cycles in the xmpp adapter's production code (issue 10): none between two classes, none between its
 * sub-packages. The root package (XmppAdapter, XmppSettings) wires the sub-packages and they read XmppSettings back: that one
 * package cycle is known (adapters/xmpp/README.md) and left out of the package rule.
 */
class ImportCyclesTest {
    private static final String ROOT = "org.bridgeappliance.adapter.xmpp";
    private static final JavaClasses CLASSES = ImportCycles.of(ROOT);

    @Test
    void noTwoClassesImportEachOther() {
        ImportCycles.assertNoClassCycle(ROOT, CLASSES);
    }

    @Test
    void noTwoSubPackagesImportEachOther() {
        ImportCycles.assertNoSubPackageCycle(ROOT, CLASSES);
    }
}
