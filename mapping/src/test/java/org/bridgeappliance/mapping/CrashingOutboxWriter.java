package org.bridgeappliance.mapping;

import java.nio.file.Path;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.store.OutboxEntry;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Run in a child JVM by {@link OutboxCrashTest}: appends events to the outbox of an H2 file
 * database, reports each on standard output, then halts the JVM at once, with no shutdown hooks and
 * no close, as a crash or {@code kill -9} would.
 *
 * <p>Arguments: data directory, number of events, and optionally a JDBC URL to use instead of
 * {@link H2DataSources#fileUrl} (to show what the default H2 settings would lose).
 */
public final class CrashingOutboxWriter {
    private CrashingOutboxWriter() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        String url = args.length > 2 ? args[2] : H2DataSources.fileUrl(dir);
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        MappingDatabase db = MappingDatabase.open(pool, new PasswordHasher(TestDatabases.TEST_ITERATIONS));
        for (int i = 0; i < count; i++) {
            OutboxEntry entry = db.stores().outbox().append(RoomId.of("room"), BridgeMessageId.of("m" + i),
                    TestEvents.full().get(i % TestEvents.full().size()));
            System.out.println("APPENDED " + entry.sequence());
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
