package org.bridgeappliance.it.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates malformed SIP requests from a seed (reproducible), each a mutation of one well-formed MESSAGE to a room
 * URI that does not exist (so even a mutation that happens to stay valid is answered 404, never 202).
 *
 * <p>Two kinds: {@link Case#mustAnswer} cases keep the headers a response needs (Via, From, To, Call-ID, CSeq)
 * and a correct framing, and break something the adapter or the parser must refuse with a 4xx (unknown method,
 * Max-Forwards 0, a sender in the bridge's own domain, bad or unsupported content, oversized bodies, garbage header
 * values, invalid UTF-8 and NULs); the other cases break the framing or an essential header (truncation, flipped
 * bytes, missing or duplicated headers, wrong Content-Length, wrong version, binary garbage), where RFC 3261/4475
 * allow a 400 or dropping the request.
 */
final class MalformedSip {
    /** One generated request; {@code callId} is the one written (a mutation may have damaged it). */
    record Case(String kind, byte[] bytes, String callId, boolean mustAnswer) {
    }

    private static final String[] BAD_TYPES = {"text/html", "application/octet-stream", "x/y;;;", "text/plain;charset=klingon",
        "multipart/mixed;boundary=x", "message/cpim", "application/im-iscomposing+xml", "message/imdn+xml", "text/plain;charset="};
    private static final String BOMB = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
        + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        + "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>&c;</state></isComposing>";

    private final Random random;
    private final String run;
    private final String roomDomain;
    private final String ownDomain;
    private final String phoneDomain;

    MalformedSip(long seed, String run, String bridgeDomain, String phoneDomain) {
        this.random = new Random(seed);
        this.run = run;
        this.roomDomain = "rooms." + bridgeDomain;
        this.ownDomain = bridgeDomain;
        this.phoneDomain = phoneDomain;
    }

    /** A well-formed request (CRLF line ends, correct Content-Length). */
    static byte[] request(String method, String ruri, String transport, int viaPort, String from, String to,
                          String callId, String cseqMethod, List<String> extra, String contentType, byte[] body) {
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(ruri).append(" SIP/2.0\r\n");
        h.append("Via: SIP/2.0/").append(transport).append(" 127.0.0.1:").append(viaPort)
            .append(";branch=z9hG4bK-").append(callId).append(";rport\r\n");
        h.append("Max-Forwards: 70\r\n");
        h.append("From: <").append(from).append(">;tag=t").append(Math.abs(callId.hashCode())).append("\r\n");
        h.append("To: <").append(to).append(">\r\n");
        h.append("Call-ID: ").append(callId).append("\r\n");
        h.append("CSeq: 1 ").append(cseqMethod).append("\r\n");
        for (String e : extra) {
            h.append(e).append("\r\n");
        }
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        h.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The {@code i}-th case for {@code transport} ("UDP" or "TCP"; the Via names it and the local port). */
    Case next(int i, String transport, int viaPort) {
        String callId = "bad-" + run + "-" + transport + "-" + i;
        String room = "sip:no-such-room-" + run + "@" + roomDomain;
        String from = "sip:mallory" + (i % 7) + "@" + phoneDomain;
        byte[] text = "hello".getBytes(StandardCharsets.UTF_8);
        int kind = random.nextInt(18);
        return switch (kind) {
            case 0 -> must("content-type", request("MESSAGE", room, transport, viaPort, from, room, callId, "MESSAGE",
                List.of(), BAD_TYPES[random.nextInt(BAD_TYPES.length)], garbage(1 + random.nextInt(300), true)), callId);
            case 1 -> must("max-forwards-0", replace(request("MESSAGE", room, transport, viaPort, from, room, callId,
                "MESSAGE", List.of(), "text/plain", text), "Max-Forwards: 70", "Max-Forwards: 0"), callId);
            case 2 -> {
                // "X" first: never a method that gets no answer (ACK) or a real one
                String method = "X" + token(1 + random.nextInt(20)).toUpperCase(java.util.Locale.ROOT);
                yield must("unknown-method", request(method, room, transport, viaPort, from, room, callId, method,
                    List.of(), null, new byte[0]), callId);
            }
            case 3 -> must("own-domain-sender", request("MESSAGE", room, transport, viaPort,
                "sip:loop@" + (random.nextBoolean() ? roomDomain : "matrix." + ownDomain), room, callId, "MESSAGE",
                List.of(), "text/plain", text), callId);
            case 4 -> must("nul-and-invalid-utf8", request("MESSAGE", room, transport, viaPort, from, room, callId,
                "MESSAGE", List.of(), random.nextBoolean() ? "text/plain" : "text/plain;charset=UTF-8",
                garbage(1 + random.nextInt(500), false)), callId);
            case 5 -> {
                List<String> extra = new ArrayList<>();
                for (int k = random.nextInt(20); k >= 0; k--) {
                    extra.add("X-" + token(1 + random.nextInt(12)) + ": " + printable(random.nextInt(200)));
                }
                yield must("odd-headers", request("MESSAGE", room, transport, viaPort, from, room, callId, "MESSAGE",
                    extra, "text/plain", text), callId);
            }
            case 6 -> must("long-header", request("MESSAGE", room, transport, viaPort, from, room, callId, "MESSAGE",
                List.of("Subject: " + "s".repeat(2_000 + random.nextInt(8_000))), "text/plain", text), callId);
            case 7 -> must("xml-bomb", request("MESSAGE", room, transport, viaPort, from, room, callId, "MESSAGE",
                List.of(), "application/im-iscomposing+xml", BOMB.getBytes(StandardCharsets.UTF_8)), callId);
            case 8 -> must("oversized-body", request("MESSAGE", room, transport, viaPort, from, room, callId,
                "MESSAGE", List.of(), "text/plain", "x".repeat(17_000 + random.nextInt(20_000))
                    .getBytes(StandardCharsets.UTF_8)), callId);
            case 9 -> {
                byte[] ok = request("MESSAGE", room, transport, viaPort, from, room, callId, "MESSAGE", List.of(),
                    "text/plain", text);
                yield may("truncated", java.util.Arrays.copyOf(ok, 1 + random.nextInt(ok.length - 1)), callId);
            }
            case 10 -> {
                byte[] ok = request("MESSAGE", room, transport, viaPort, from, room, callId, "MESSAGE", List.of(),
                    "text/plain", text);
                for (int k = 1 + random.nextInt(5); k > 0; k--) {
                    ok[random.nextInt(ok.length)] = (byte) random.nextInt(256);
                }
                yield may("flipped-bytes", ok, callId);
            }
            case 11 -> {
                String[] essential = {"Via: ", "From: ", "To: ", "Call-ID: ", "CSeq: ", "Max-Forwards: "};
                yield may("missing-header", dropLine(request("MESSAGE", room, transport, viaPort, from, room, callId,
                    "MESSAGE", List.of(), "text/plain", text), essential[random.nextInt(essential.length)]), callId);
            }
            case 12 -> {
                String[] lengths = {"99999", "-1", "abc", "5 5", "", "18446744073709551617", "2"};
                yield may("content-length", replace(request("MESSAGE", room, transport, viaPort, from, room, callId,
                    "MESSAGE", List.of(), "text/plain", text), "Content-Length: 5",
                    "Content-Length: " + lengths[random.nextInt(lengths.length)]), callId);
            }
            case 13 -> may("binary-garbage", garbage(1 + random.nextInt(2_000), false), callId);
            case 14 -> may("bad-version", replace(request("MESSAGE", room, transport, viaPort, from, room, callId,
                "MESSAGE", List.of(), "text/plain", text), " SIP/2.0\r\n", " SIP/7.0\r\n"), callId);
            case 15 -> may("duplicate-essential", request("MESSAGE", room, transport, viaPort, from, room, callId,
                "MESSAGE", List.of(random.nextBoolean() ? "Call-ID: other-" + callId : "CSeq: 2 MESSAGE",
                    "To: <sip:second@" + roomDomain + ">"), "text/plain", text), callId);
            case 16 -> may("cseq-mismatch", request("MESSAGE", room, transport, viaPort, from, room, callId,
                random.nextBoolean() ? "INVITE" : "OPTIONS", List.of(), "text/plain", text), callId);
            default -> may("bad-uri", request("MESSAGE", "sip:" + printable(1 + random.nextInt(40)) + "@" + roomDomain,
                transport, viaPort, "sip:" + printable(1 + random.nextInt(20)) + "@" + phoneDomain, room, callId,
                "MESSAGE", List.of(), "text/plain", text), callId);
        };
    }

    private static Case must(String kind, byte[] bytes, String callId) {
        return new Case(kind, bytes, callId, true);
    }

    private static Case may(String kind, byte[] bytes, String callId) {
        return new Case(kind, bytes, callId, false);
    }

    private byte[] garbage(int n, boolean printableOnly) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = printableOnly ? (byte) (32 + random.nextInt(95)) : (byte) random.nextInt(256);
        }
        if (!printableOnly && n > 2) {
            b[random.nextInt(n)] = 0; // at least one NUL
        }
        return b;
    }

    private String token(int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~";
        StringBuilder s = new StringBuilder();
        s.append((char) ('a' + random.nextInt(26)));
        for (int i = 1; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private String printable(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append((char) (33 + random.nextInt(94)));
        }
        return s.toString();
    }

    private static byte[] replace(byte[] request, String from, String to) {
        String s = new String(request, StandardCharsets.ISO_8859_1);
        return s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
            .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] dropLine(byte[] request, String prefix) {
        String s = new String(request, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("\r\n" + prefix);
        if (at < 0) {
            return request;
        }
        int end = s.indexOf("\r\n", at + 2);
        return (s.substring(0, at) + s.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
    }
}
