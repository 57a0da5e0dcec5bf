package org.bridgeappliance.deploy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.adapter.matrix.registration.Registration;
import org.bridgeappliance.adapter.matrix.registration.RegistrationGenerator;
import org.bridgeappliance.mapping.MappingDatabase;
import org.bridgeappliance.mapping.PasswordHasher;

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
 * <p>{@code --generate-registration FILE} writes the Matrix application-service registration for the
 * configured {@code bridge.matrix.*} settings to FILE and exits without starting the bridge (the
 * homeserver admin then lists FILE in Synapse's {@code app_service_config_files}, and the appliance's
 * {@code bridge.matrix.registration-file} points at it).
 */
public final class Application {
    private Application() {
    }

    static final String GENERATE_REGISTRATION = "--generate-registration";

    public static void main(String[] args) {
        Optional<Path> registration = registrationTarget(args);
        if (registration.isPresent()) {
            System.exit(generateRegistration(registration.get(), withoutRegistrationFlag(args)));
            return;
        }
        warmUpPersistence();
        Micronaut.build(args)
                .mainClass(Application.class)
                .banner(false)
                .start();
    }

    /**
     * Start-up time: loading and linking Flyway's and H2's classes is the largest single cost of a start
     * (roughly a third of it on a 2-core machine). A daemon thread migrates a throw-away in-memory
     * database while Micronaut builds its context on the main thread, so that the real migration of the
     * data directory's database finds those classes loaded. It touches no files and no shared state;
     * if it fails, nothing is lost but the head start.
     */
    private static void warmUpPersistence() {
        if (Boolean.getBoolean("bridge.no-warm-up")) {
            return; // -Dbridge.no-warm-up=true: for measuring what it brings
        }
        Thread warmUp = new Thread(() -> {
            try (MappingDatabase ignored = MappingDatabase.openH2InMemory("warmup", new PasswordHasher(1))) {
                // opened, migrated, closed
            } catch (RuntimeException | LinkageError e) {
                // Only a head start was lost; the real open reports real problems.
            }
        }, "bridge-warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    /** The FILE of {@code --generate-registration FILE} or {@code --generate-registration=FILE}, if given. */
    static Optional<Path> registrationTarget(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(GENERATE_REGISTRATION)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException(GENERATE_REGISTRATION + " needs a file name");
                }
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith(GENERATE_REGISTRATION + "=")) {
                return Optional.of(Path.of(args[i].substring(GENERATE_REGISTRATION.length() + 1)));
            }
        }
        return Optional.empty();
    }

    private static String[] withoutRegistrationFlag(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(GENERATE_REGISTRATION)) {
                i++;
            } else if (!args[i].startsWith(GENERATE_REGISTRATION + "=")) {
                rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }

    /**
     * Reads the configuration the appliance would run with (application.yml, config files, environment,
     * {@code --key=value} arguments) without starting any bean, and writes the registration.
     *
     * @return the process exit code
     */
    static int generateRegistration(Path file, String[] args) {
        try (ApplicationContext context = ApplicationContext.builder(Application.class).args(args).build()) {
            Environment environment = context.getEnvironment().start();
            Registration written = RegistrationGenerator.write(file, MatrixConfig.from(environment));
            // The tokens stay in the file (owner-only); never on the console or in logs.
            System.out.println("Wrote the Matrix application-service registration '" + written.id() + "' to "
                    + file.toAbsolutePath() + ".\nAdd it to Synapse's app_service_config_files and set "
                    + "bridge.matrix.registration-file to it.");
            return 0;
        } catch (RuntimeException e) {
            System.err.println("Could not write the registration: " + e.getMessage());
            return 1;
        }
    }
}
