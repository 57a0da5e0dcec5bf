package org.bridgeappliance.mapping;

import java.util.concurrent.atomic.AtomicInteger;

/** Fresh private in-memory databases for tests, one per call. */
final class TestDatabases {
    /** A low work factor: hashing at the production cost would make the admin tests slow. */
    static final int TEST_ITERATIONS = 1000;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabases() {
    }

    static MappingDatabase fresh(Class<?> testClass) {
        return MappingDatabase.openH2InMemory(testClass.getSimpleName() + "-" + COUNTER.incrementAndGet(),
                new PasswordHasher(TEST_ITERATIONS));
    }
}
