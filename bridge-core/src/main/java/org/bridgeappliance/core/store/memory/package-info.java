/**
 * Thread-safe in-memory implementations of every store port of {@link org.bridgeappliance.core.store}, with
 * the same uniqueness rules as the database schema of the {@code mapping} module. For unit tests, benchmarks
 * and other modules' tests; nothing here survives a restart. {@link org.bridgeappliance.core.store.memory.InMemoryStores#create()}
 * builds a complete {@link org.bridgeappliance.core.store.BridgeStores}.
 */
package org.bridgeappliance.core.store.memory;
