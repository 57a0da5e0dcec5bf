package org.bridgeappliance.mapping;

import javax.sql.DataSource;
import org.bridgeappliance.core.store.BridgeStores;

/**
 * The persistence of the appliance, opened on a {@link DataSource}: runs the Flyway migrations
 * and hands out the JDBC stores. H2 in file mode is the embedded default; the SQL is kept portable
 * to PostgreSQL.
 */
public final class MappingDatabase {

    private MappingDatabase() {
        // TODO(mapping): hold the DataSource and the store instances.
    }

    /** Migrates the schema to the newest version, then returns the opened database. */
    public static MappingDatabase open(DataSource dataSource) {
        throw new UnsupportedOperationException("mapping: not implemented yet");
    }

    /** The core's persistence ports, backed by this database. */
    public BridgeStores stores() {
        throw new UnsupportedOperationException("mapping: not implemented yet");
    }

    public AdminUserStore adminUsers() {
        throw new UnsupportedOperationException("mapping: not implemented yet");
    }

    public AuditLog auditLog() {
        throw new UnsupportedOperationException("mapping: not implemented yet");
    }
}
