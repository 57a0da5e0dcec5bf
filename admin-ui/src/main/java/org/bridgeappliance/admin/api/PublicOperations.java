package org.bridgeappliance.admin.api;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Marks the operations that need no credentials with {@code security: []} in the served OpenAPI document.
 *
 * <p>Why a post-processing step: the document's top level requires {@code basicAuth} or {@code sessionCookie}, and
 * OpenAPI says an operation overrides that with its own (empty) list. micronaut-openapi writes no {@code security}
 * key for an empty {@code @SecurityRequirements} (it reads "none given", not "none needed"), so the generated file
 * would claim that login and setup need a login. The operations listed here are exactly those {@code AuthFilter}
 * lets through without credentials; {@code AdminUiApiTest} checks both agree.
 */
final class PublicOperations {
    /** operationIds of login and first-run setup (the OpenAPI document itself is not described in it). */
    static final Set<String> IDS = Set.of("login", "setupStatus", "completeSetup");
    private static final Pattern OPERATION_ID = Pattern.compile("(?m)^( +)operationId: (\\S+)$");

    private PublicOperations() {
    }

    /** The document with {@code security: []} added to every public operation (next to its operationId). */
    static byte[] mark(byte[] document) {
        String yaml = new String(document, StandardCharsets.UTF_8);
        Matcher m = OPERATION_ID.matcher(yaml);
        StringBuilder out = new StringBuilder(yaml.length() + 64);
        int found = 0;
        while (m.find()) {
            String replacement = m.group();
            if (IDS.contains(m.group(2))) {
                replacement += "\n" + m.group(1) + "security: []";
                found++;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        if (found != IDS.size()) {
            throw new IllegalStateException("the OpenAPI document lacks some public operation of " + IDS);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
