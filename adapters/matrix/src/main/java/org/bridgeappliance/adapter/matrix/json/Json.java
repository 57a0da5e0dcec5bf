package org.bridgeappliance.adapter.matrix.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The adapter's one JSON mapper, limited for hostile input: nesting beyond {@link #MAX_DEPTH} or
 * strings beyond {@link #MAX_STRING} are refused while parsing, before anything else looks at them.
 *
 * <p>The limits are deliberately not tighter than what a homeserver accepts in one event (64 KiB):
 * a transaction the bridge refuses is retried by the homeserver forever and blocks every later one,
 * so one Matrix user's odd but valid event must never make a transaction unparseable. Deep HTML is
 * limited separately ({@code HtmlSanitizer}).
 */
public final class Json {
    public static final int MAX_DEPTH = 1000;
    public static final int MAX_STRING = 1024 * 1024;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(MAX_STRING)
                .maxNumberLength(1000)
                .build());
    }

    private Json() {
    }

    /** Parses a JSON document. */
    public static JsonNode parse(byte[] body) throws MalformedJsonException {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("empty body");
            }
            return node;
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage() == null ? "malformed JSON" : shortMessage(e));
        }
    }

    public static JsonNode parse(String text) throws MalformedJsonException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise JSON", e);
        }
    }

    public static String text(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    /** A string field, or empty if missing or not a string. */
    public static Optional<String> string(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** An object field, or a missing node. */
    public static JsonNode obj(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isObject() ? value : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String shortMessage(IOException e) {
        String message = e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The input is not acceptable JSON (syntax, depth, size). */
    public static final class MalformedJsonException extends Exception {
        public MalformedJsonException(String message) {
            super(message);
        }
    }
}
