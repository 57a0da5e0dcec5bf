package org.bridgeappliance.deploy;

import io.micronaut.runtime.Micronaut;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.bridgeappliance.core.port.ApplianceCommand;
import org.bridgeappliance.mapping.MappingDatabase;

/**
 * The appliance's entry point: one Micronaut process serving the admin API, the health endpoint and
 * the Matrix application-service endpoints, and running the router with every protocol adapter.
 *
 * <p>Micronaut registers a JVM shutdown hook, so SIGTERM (and Ctrl-C) stops the context gracefully:
 * the HTTP server stops accepting requests, in-flight ones finish
 * ({@code micronaut.lifecycle.graceful-shutdown}), the router drains and stops the adapters
 * ({@link RouterLifecycle}), and the database is closed last ({@link PersistenceFactory}).
 *
 * <p>Start-up time: {@code java -jar} spends about 4.5 s of CPU on a 2-core machine, most of it
 * loading and linking classes; {@code deploy/src/main/dist/run-appliance.sh} adds an application CDS
 * archive that halves that. {@code deploy/bench-startup.sh} measures both.
 *
 * <p>Modules contribute one-shot commands to the command line ({@link ApplianceCommand}, e.g. the Matrix
 * adapter's {@code --generate-registration FILE}): given a command's flag, the appliance runs that command
 * instead of starting the bridge and exits with its code.
 */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        for (ApplianceCommand command : ServiceLoader.load(ApplianceCommand.class)) {
            Optional<String> value = commandValue(command.flag(), args);
            if (value.isPresent()) {
                System.exit(command.run(value.get(), withoutFlag(command.flag(), args)));
                return;
            }
        }
        warmUpPersistence();
        Micronaut.build(args)
                .mainClass(Application.class)
                .banner(false)
                .start();
    }

    /**
     * Start-up time: loading and linking H2's classes is one of the larger costs of a start on a 2-core
     * machine. A daemon thread uses a throw-away in-memory database while Micronaut builds its context on
     * the main thread, so that the data directory's database opens with those classes loaded. It does not
     * load Flyway's: on a database whose schema is current Flyway is not called at all (mapping's
     * SchemaMigrations), so that would be wasted work on every start but the first. It touches no files and
     * no shared state; if it fails, nothing is lost but the head start.
     */
    private static void warmUpPersistence() {
        if (Boolean.getBoolean("bridge.no-warm-up")) {
            return; // -Dbridge.no-warm-up=true: for measuring what it brings
        }
        Thread warmUp = new Thread(() -> {
            try {
                MappingDatabase.warmUpH2();
            } catch (RuntimeException | LinkageError e) {
                // Only a head start was lost; the real open reports real problems.
            }
        }, "bridge-warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    /** The VALUE of {@code FLAG VALUE} or {@code FLAG=VALUE}, if {@code flag} is given. */
    static Optional<String> commandValue(String flag, String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException(flag + " needs a file name");
                }
                return Optional.of(args[i + 1]);
            }
            if (args[i].startsWith(flag + "=")) {
                return Optional.of(args[i].substring(flag.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** {@code args} without {@code flag} and its value. */
    static String[] withoutFlag(String flag, String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag)) {
                i++;
            } else if (!args[i].startsWith(flag + "=")) {
                rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }
}
