package org.bridgeappliance.core.port;

/**
 * A one-shot command of the appliance's command line that a module contributes, so that the composition
 * root names no adapter's tools: the Matrix adapter's {@code --generate-registration FILE}, say. Found with
 * {@link java.util.ServiceLoader} (a {@code META-INF/services/org.bridgeappliance.core.port.ApplianceCommand}
 * file in the contributing module). When the appliance is started with a command's flag, it runs that command
 * instead of starting the bridge, and exits with the command's exit code.
 *
 * <p>Called once, on the main thread, before anything else is started; may block (it reads configuration,
 * writes files). It must not print secrets.
 */
public interface ApplianceCommand {

    /** The flag, with its dashes: {@code --generate-registration}. It takes one value: {@code --flag VALUE} or {@code --flag=VALUE}. */
    String flag();

    /**
     * Runs the command.
     *
     * @param value     the flag's value
     * @param otherArgs every other argument of the command line (configuration overrides such as
     *                  {@code --bridge.matrix.server-name=example.org}), in order
     * @return the process exit code (0 on success)
     */
    int run(String value, String[] otherArgs);
}
