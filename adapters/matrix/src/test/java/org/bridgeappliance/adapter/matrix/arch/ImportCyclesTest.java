package org.bridgeappliance.adapter.matrix.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.bridgeappliance.core.testing.ImportCycles;
import org.junit.jupiter.api.Test;

/**
 * No import cycles in the matrix adapter's production code (issue 10): none between two classes, none between its
 * sub-packages. The root package (MatrixAdapter, MatrixConfig) wires the sub-packages and some read MatrixConfig back: that
 * package cycle is known (adapters/matrix/README.md) and left out of the package rule.
 */
class ImportCyclesTest {
    private static final String ROOT = "org.bridgeappliance.adapter.matrix";
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
