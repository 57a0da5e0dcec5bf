package org.bridgeappliance.it.sip;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The RFC 4475 ("SIP Torture Test Messages") cases that concern a UAS of pager-mode MESSAGE, rewritten for the
 * bridge: Request-URIs point at a room that does not exist in {@code rooms.D} (or use OPTIONS/REGISTER), so the
 * well-formed ones get the adapter's ordinary answers (404, 405, 415, 200 for OPTIONS), and the invalid ones a 400
 * (505 for the version) or nothing, which RFC 4475 §3.1.2 allows for requests too broken to answer. INVITE-only
 * cases (SDP, Contact and Route torture) are left out: the adapter answers every INVITE 405 without reading it.
 */
final class Rfc4475 {
    /** One torture message; {@code allowed} are the acceptable final statuses, {@code mayDrop} whether silence is. */
    record Torture(String name, String template, Set<Integer> allowed, boolean mayDrop) {
        /** The message for one transport, with its own Call-ID and branch; CRLF line ends; {LEN} computed. */
        byte[] render(String transport, int viaPort, String callId, String roomHost, String phoneHost) {
            String t = template.replace("{VIA}", "SIP/2.0/" + transport + " 127.0.0.1:" + viaPort
                    + ";branch=z9hG4bK-" + callId + ";rport")
                .replace("{CID}", callId).replace("{ROOMS}", roomHost).replace("{PHONE}", phoneHost);
            String[] headAndBody = t.split("\n\n", 2);
            String body = headAndBody.length > 1 ? headAndBody[1].replace("\n", "\r\n") : "";
            String head = headAndBody[0].replace("\n", "\r\n")
                .replace("{LEN}", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
            return (head + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static final Set<Integer> BAD = Set.of(400);

    static final List<Torture> CASES = List.of(
        // --- 3.1.1: valid, if odd; must be answered as usual ---
        new Torture("3.1.1.1 wsinv-like: compact and folded headers, odd case and whitespace", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            TO :
             sip:no-such-room@{ROOMS} ;   tag    = 1918181833n
            from   : "J Rosenberg \\\\\\""       <sip:jdrosen@{PHONE}>
              ;
              tag = 98asjd8
            MaX-fOrWaRdS: 0068
            Call-ID: {CID}
            Content-Length   : {LEN}
            cseq: 0009
              MESSAGE
            Via  : {VIA}
            s :
            NewFangledHeader:   newfangled value
             continued newfangled value
            UnknownHeaderWithUnusualValue: ;;,,;;,;
            c: text/plain

            torture""", Set.of(404), false),
        new Torture("3.1.1.2 intmeth: a method of every token character", """
            !interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@{ROOMS} SIP/2.0
            Via: {VIA}
            To: "BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007F" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@{ROOMS}>
            From: token1~` token2'+_ token3*%!.- <sip:mundane@{PHONE}>;fromParam''~+*_!.-%="\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439";tag=_token~1'+`*%!-.
            Call-ID: {CID}
            CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~
            Max-Forwards: 255
            extensionHeader-!.%*+_`'~:\uFEFF\u5927\u505C\u96FB
            Content-Length: {LEN}

            """, Set.of(405), false),
        new Torture("3.1.1.3 esc01: escaped characters in URIs", """
            MESSAGE sip:no%2Dsuch%2droom@{ROOMS} SIP/2.0
            To: sip:no%2Dsuch%2droom@{ROOMS}
            From: <sip:I%20have%20spaces@{PHONE}>;tag=938
            Max-Forwards: 87
            i: {CID}
            Via: {VIA}
            CSeq: 1 MESSAGE
            c: text/plain
            l: {LEN}

            esc""", Set.of(404), false),
        new Torture("3.1.1.4 escnull: escaped NULs in URIs", """
            REGISTER sip:{PHONE} SIP/2.0
            To: sip:null-%00-null@{PHONE}
            From: sip:null-%00-null@{PHONE};tag=839923423
            Max-Forwards: 70
            Call-ID: {CID}
            CSeq: 39292 REGISTER
            Via: {VIA}
            Contact: <sip:%00@host5.example.net>
            Contact: <sip:%00%00@host5.example.net>
            L:{LEN}

            """, Set.of(405), false),
        new Torture("3.1.1.6 lwsdisp: no LWS between display name and <", """
            OPTIONS sip:no-such-room@{ROOMS} SIP/2.0
            To: sip:no-such-room@{ROOMS}
            From: caller<sip:caller@{PHONE}>;tag=323
            Max-Forwards: 70
            Call-ID: {CID}
            CSeq: 121 OPTIONS
            Via: {VIA}
            l: {LEN}

            """, Set.of(200), false),
        new Torture("3.1.1.7 longreq: long values everywhere", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            To: "I have a user name of extremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextremeextreme proportion" <sip:no-such-room@{ROOMS}:6000;unknownparam1=verylonglongvaluelonglongvaluelonglongvaluelonglongvaluelonglongvaluelonglongvaluelonglongvaluelonglongvalue;longparamnamenamenamenamenamenamenamenamenamenamenamenamenamenamenamename=shortvalue;verylonglongparameternamewithnovalue>
            F: sip:amazinglylongcallernameamazinglylongcallernameamazinglylongcallernameamazinglylongcallernameamazinglylongcallername@{PHONE};tag=12982424;unknownheaderparamlonglonglonglonglonglonglonglonglonglonglonglonglonglonglong=unknowheaderparamvaluevery
            Call-ID: {CID}
            CSeq: 3882340 MESSAGE
            Unknown-LongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLong-Name: unknown-longlonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglong-value; unknown-longlonglonglonglonglonglonglonglonglonglonglonglonglonglonglong-parameter-name = unknown-longlonglonglonglonglonglonglonglong-parameter-value
            Via: {VIA}
            Via: SIP/2.0/TCP sip33.example.com
            Via: SIP/2.0/TCP sip32.example.com
            Via: SIP/2.0/TCP sip31.example.com
            Via: SIP/2.0/TCP sip30.example.com
            Max-Forwards: 70
            Content-Type: text/plain
            Content-Length: {LEN}

            long""", Set.of(404), false),
        new Torture("3.1.1.10 semiuri: a semicolon-separated parameter in the user part", """
            OPTIONS sip:user;par=u%40example.net@{ROOMS} SIP/2.0
            To: sip:j_user@{ROOMS}
            From: sip:caller@{PHONE};tag=33242
            Max-Forwards: 3
            Call-ID: {CID}
            CSeq: 8 OPTIONS
            Via: {VIA}
            l: {LEN}

            """, Set.of(200), false),
        new Torture("3.1.1.12 mpart01: a multipart body (not accepted for MESSAGE)", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            To: <sip:no-such-room@{ROOMS}>
            From: <sip:caller@{PHONE}>;tag=08
            Max-Forwards: 70
            Call-ID: {CID}
            CSeq: 2 MESSAGE
            Via: {VIA}
            Content-Type: multipart/mixed;boundary=7a9cbec02ceef655
            MIME-Version: 1.0
            Content-Length: {LEN}

            --7a9cbec02ceef655
            Content-Type: text/plain

            part one
            --7a9cbec02ceef655--
            """, Set.of(404, 415), false),
        new Torture("3.1.2.x zeromf: Max-Forwards 0 on a MESSAGE", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            To: <sip:no-such-room@{ROOMS}>
            From: <sip:caller@{PHONE}>;tag=zero
            Max-Forwards: 0
            Call-ID: {CID}
            CSeq: 2 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            hops""", Set.of(483), false),
        // --- 3.1.2: invalid; 400 (or 505) if answered, dropping allowed where nothing can be answered ---
        new Torture("3.1.2.1 badinv01: extraneous header field separators", """
            MESSAGE sip:no-such-room@{ROOMS};user=phone SIP/2.0
            To: sip:no-such-room@{ROOMS};;;;
            From: sip:caller@{PHONE};tag=3;;;;
            Max-Forwards: 6
            Call-ID: {CID};;;;
            CSeq: 8 MESSAGE;;;
            Via: {VIA};;;;
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true),
        new Torture("3.1.2.2 clerr: Content-Length larger than the message", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Max-Forwards: 80
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=93942939o2
            Contact: <sip:caller@hungry.example.net>
            Call-ID: {CID}
            CSeq: 0 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: 9999

            short""", BAD, true),
        new Torture("3.1.2.3 scalar02: negative Content-Length", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            Max-Forwards: 254
            To: <sip:no-such-room@{ROOMS}>
            From: <sip:caller@{PHONE}>;tag=32394234
            Call-ID: {CID}
            CSeq: 0 MESSAGE
            Content-Type: text/plain
            Content-Length: -999

            x""", BAD, true),
        new Torture("3.1.2.4 scalarlg: overlarge scalar values", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            CSeq: 36893488147419103232 MESSAGE
            Call-ID: {CID}
            From: <sip:caller@{PHONE}>;tag=3
            To: <sip:no-such-room@{ROOMS}>
            Max-Forwards: 300
            Expires: 1000000000000000000000000000000000000000000000000000000000000000000000000000000
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", BAD, true),
        new Torture("3.1.2.7 quotbal: an unterminated quoted string in the display name", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            To: "Mr. J. User <sip:no-such-room@{ROOMS}>
            From: sip:caller@{PHONE};tag=93334
            Max-Forwards: 10
            Call-ID: {CID}
            CSeq: 6 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", BAD, true),
        new Torture("3.1.2.8 ltgtruri: <> around the Request-URI", """
            MESSAGE <sip:no-such-room@{ROOMS}> SIP/2.0
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=39291
            Max-Forwards: 23
            Call-ID: {CID}
            CSeq: 1 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", BAD, true),
        new Torture("3.1.2.9 lwsruri: LWS inside the Request-URI", """
            MESSAGE sip:no-such-room@{ROOMS}; lr SIP/2.0
            To: sip:no-such-room@{ROOMS};tag=3xfe-9921883-z9f
            From: sip:caller@{PHONE};tag=231413434
            Max-Forwards: 5
            Call-ID: {CID}
            CSeq: 2130706432 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404, 505), true),
        new Torture("3.1.2.10 lwsstart: several SPs between Request-Line elements", """
            MESSAGE  sip:no-such-room@{ROOMS}  SIP/2.0
            Max-Forwards: 8
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=8814
            Call-ID: {CID}
            CSeq: 1893884 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true),
        new Torture("3.1.2.11 trws: a SP after the Request-Line's version", """
            OPTIONS sip:no-such-room@{ROOMS} SIP/2.0\s
            Max-Forwards: 31
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=87ghkk
            Call-ID: {CID}
            CSeq: 1893884 OPTIONS
            Via: {VIA}
            l: {LEN}

            """, Set.of(200, 400), true),
        new Torture("3.1.2.13 baddate: a non-GMT date", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            Max-Forwards: 70
            From: <sip:caller@{PHONE}>;tag=2234923
            To: <sip:no-such-room@{ROOMS}>
            Call-ID: {CID}
            CSeq: 1 MESSAGE
            Date: Fri, 01 Jan 2010 16:00:00 EST
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true),
        new Torture("3.1.2.15 badaspec: an unbracketed addr-spec with parameters and a space", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            Max-Forwards: 70
            From: "Bell, Alexander" <sip:a.g.bell@{PHONE}>;tag=43
            To: "Watson, Thomas" < sip:no-such-room@{ROOMS} >
            Call-ID: {CID}
            CSeq: 3923239 MESSAGE
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true),
        new Torture("3.1.2.16 baddn: an unquoted display name with a comma", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            Max-Forwards: 70
            From: Bell, Alexander <sip:a.g.bell@{PHONE}>;tag=43
            To: Watson, Thomas <sip:no-such-room@{ROOMS}>
            Call-ID: {CID}
            CSeq: 3923239 MESSAGE
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true),
        new Torture("3.1.2.17 badvers: SIP/7.0", """
            OPTIONS sip:no-such-room@{ROOMS} SIP/7.0
            Max-Forwards: 70
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=3
            Call-ID: {CID}
            CSeq: 1 OPTIONS
            Via: {VIA}
            l: {LEN}

            """, Set.of(400, 505, 200), true), // Jain-SIP 1.3.0-91 reads any version as SIP/2.0: 200, not 505
        new Torture("3.1.2.18 mismatch01: CSeq method differs from the request's", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=34525
            Max-Forwards: 6
            Call-ID: {CID}
            CSeq: 8 INVITE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", BAD, true),
        new Torture("3.1.2.19 mismatch02: an unknown method and a different CSeq method", """
            NEWMETHOD sip:no-such-room@{ROOMS} SIP/2.0
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=34525
            Max-Forwards: 6
            Call-ID: {CID}
            CSeq: 8 INVITE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 405, 501), true),
        new Torture("3.1.2.? multi01: two values in single-value headers", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            Max-Forwards: 70
            Route: <sip:127.0.0.1;lr>
            From: "Bell, Alexander" <sip:a.g.bell@{PHONE}>;tag=43
            To: "Watson, Thomas" <sip:no-such-room@{ROOMS}>
            From: "Pr. Bell" <sip:other@{PHONE}>;tag=44
            Call-ID: {CID}
            CSeq: 3 MESSAGE
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true),
        new Torture("3.1.2.? mcl01: several Content-Length values", """
            OPTIONS sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK-39234u23
            Max-Forwards: 70
            From: sip:caller@{PHONE};tag=bfc2b0
            To: sip:no-such-room@{ROOMS}
            Call-ID: {CID}
            CSeq: 4 OPTIONS
            Content-Length: 0
            Content-Length: 3

            """, Set.of(200, 400), true),
        new Torture("3.1.2.? insuf: missing required headers (no Call-ID, From, CSeq)", """
            MESSAGE sip:no-such-room@{ROOMS} SIP/2.0
            Via: {VIA}
            To: sip:no-such-room@{ROOMS}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", BAD, true),
        new Torture("3.1.2.? unkscm: an unknown Request-URI scheme", """
            OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0
            To: sip:no-such-room@{ROOMS}
            From: sip:caller@{PHONE};tag=384
            Max-Forwards: 3
            Call-ID: {CID}
            CSeq: 3923423 OPTIONS
            Via: {VIA}
            l: {LEN}

            """, Set.of(200, 400, 404, 416), true),
        new Torture("3.1.2.? novelsc: a URI scheme with a malformed host (sip:@)", """
            MESSAGE sip:@{ROOMS} SIP/2.0
            To: sip:@{ROOMS}
            From: sip:caller@{PHONE};tag=3843
            Max-Forwards: 3
            Call-ID: {CID}
            CSeq: 39 MESSAGE
            Via: {VIA}
            Content-Type: text/plain
            Content-Length: {LEN}

            x""", Set.of(400, 404), true));

    private Rfc4475() {
    }
}
