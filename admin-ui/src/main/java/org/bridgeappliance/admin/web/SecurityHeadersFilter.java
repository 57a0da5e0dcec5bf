package org.bridgeappliance.admin.web;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import org.bridgeappliance.admin.AdminApi;

/**
 * Security headers on the web UI ({@value #UI_BASE}) and the admin API. Runs after the controllers and the
 * static-resource handler, on every answer including errors.
 *
 * <ul>
 *   <li>A Content-Security-Policy with no {@code unsafe-*} source: scripts, styles and fetches only from this
 *       origin, no inline code, no framing (CSP Level 3 {@code frame-ancestors}), no {@code <base>}; plus
 *       Trusted Types ({@code require-trusted-types-for 'script'}): the UI never assigns HTML strings, so any
 *       {@code innerHTML}-style sink throws instead of running a name from another network as markup.</li>
 *   <li>{@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer} (room and user ids in
 *       the hash never leave), {@code Cross-Origin-Opener-Policy: same-origin}.</li>
 *   <li>{@code Cache-Control: no-store} on JSON (answers carry room mappings, CSRF tokens, audit entries);
 *       {@code no-cache} on the UI's files so an upgraded appliance's UI is fetched again.</li>
 * </ul>
 */
@ServerFilter({SecurityHeadersFilter.UI_BASE, SecurityHeadersFilter.UI_BASE + "/**", AdminApi.BASE + "/**"})
public class SecurityHeadersFilter implements Ordered {
    /** Where the static single-page app is served (hash routes below it, so no server-side fallback route). */
    public static final String UI_BASE = "/admin";
    /** The policy of the issue, plus Trusted Types (Chromium; other browsers ignore the two directives). */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self';"
            + " require-trusted-types-for 'script'; trusted-types 'none'";

    /** Outermost, so that answers other filters give early (401, 403, 413 from the AuthFilter) get the headers too. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @ResponseFilter
    public void addHeaders(HttpRequest<?> request, MutableHttpResponse<?> response) {
        var headers = response.getHeaders();
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
        boolean json = response.getContentType().map(t -> t.getSubtype().endsWith("json")).orElse(false);
        if (json || request.getPath().startsWith(AdminApi.BASE)) {
            headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        } else {
            headers.set(HttpHeaders.CACHE_CONTROL, "no-cache");
        }
    }
}
