package org.bridgeappliance.mapping;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.OutboxEntry;

/**
 * Child process of {@link UnitOfWorkCrashTest}: commits {@code count} acceptances (outbox entry, origin copy,
 * archive row) each in one unit of work, printing each sequence, then halts the JVM inside a further unit after
 * its writes and before its commit.
 */
public final class CrashingUnitOfWork {
    static final RoomId ROOM = RoomId.of("room");
    static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");

    private CrashingUnitOfWork() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS));
        BridgeStores stores = db.stores();
        for (int i = 0; i <= count; i++) {
            String id = "m" + i;
            boolean crash = i == count;
            OutboxEntry entry = stores.unitOfWork().inOne(() -> {
                OutboxEntry e = stores.outbox().append(ROOM, BridgeMessageId.of(id), TestEvents.full().get(0));
                stores.messages().record(List.of(new MessageMapping(BridgeMessageId.of(id), ROOM, MUC, ALICE,
                        RemoteMessageId.of("sid-" + id), 0, true, Instant.now())));
                stores.archive().append(ArchivedMessage.of(BridgeMessageId.of(id), ROOM, ALICE, "alice",
                        Instant.now(), MessageKind.TEXT, MessageBody.plain("text of " + id)));
                if (crash) {
                    System.out.println("HALTING INSIDE " + e.sequence());
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }
                return e;
            });
            System.out.println("COMMITTED " + entry.sequence());
        }
        System.out.flush();
        Runtime.getRuntime().halt(1); // not reached
    }
}
