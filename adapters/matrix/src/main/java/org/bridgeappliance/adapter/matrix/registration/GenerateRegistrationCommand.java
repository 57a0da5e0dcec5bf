package org.bridgeappliance.adapter.matrix.registration;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.nio.file.Path;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.core.port.ApplianceCommand;

/**
 * {@code --generate-registration FILE}: writes the Matrix application-service registration for the configured
 * {@code bridge.matrix.*} settings to FILE and exits without starting the bridge (the homeserver admin then
 * lists FILE in Synapse's {@code app_service_config_files}, and {@code bridge.matrix.registration-file} points
 * at it). Contributed to the appliance's command line through {@link ApplianceCommand}.
 */
public final class GenerateRegistrationCommand implements ApplianceCommand {
    public static final String FLAG = "--generate-registration";

    @Override
    public String flag() {
        return FLAG;
    }

    /**
     * Reads the configuration the appliance would run with (application.yml, config files, environment,
     * {@code --key=value} arguments) without starting any bean, and writes the registration.
     */
    @Override
    public int run(String value, String[] otherArgs) {
        Path file = Path.of(value);
        try (ApplicationContext context = ApplicationContext.builder().args(otherArgs).build()) {
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
