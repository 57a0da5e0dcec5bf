package org.bridgeappliance.adapter.matrix.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.context.ApplicationContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.junit.jupiter.api.Test;

/** The ghost and alias namespaces follow from the networks the configuration declares, not from a list in code. */
class ConfiguredNetworksTest {

    private static MatrixConfig configFrom(Map<String, Object> properties) {
        try (ApplicationContext context = ApplicationContext.builder().properties(properties).build()) {
            return MatrixConfig.from(context.getEnvironment().start());
        }
    }

    @Test
    void everyOtherConfiguredNetworkGetsANamespace() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bridge.data-dir", "./data");
        p.put("bridge.xmpp.enabled", true);
        p.put("bridge.matrix.enabled", true);
        p.put("bridge.sip.enabled", false);
        p.put("bridge.fourth.enabled", false);
        p.put("bridge.test-adapter.enabled", true); // not a network name: no namespace
        MatrixConfig config = configFrom(p);
        assertEquals(List.of("fourth", "sip", "xmpp"), config.getGhostNetworks().stream().sorted().toList());
        Registration registration = RegistrationGenerator.generate(config);
        assertEquals(true, registration.userNamespaces().contains("@_fourth_.*:matrix\\.test"),
                registration.userNamespaces().toString());
    }

    @Test
    void anExplicitListWins() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bridge.xmpp.enabled", true);
        p.put("bridge.sip.enabled", false);
        p.put("bridge.matrix.ghost-networks", List.of("xmpp"));
        assertEquals(List.of("xmpp"), configFrom(p).getGhostNetworks());
    }
}
