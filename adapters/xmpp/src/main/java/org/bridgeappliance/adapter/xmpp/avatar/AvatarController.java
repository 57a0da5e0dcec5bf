package org.bridgeappliance.adapter.xmpp.avatar;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Optional;

/**
 * Serves XMPP users' avatars at the links {@link AvatarLinks} signs, for other networks (the Matrix
 * adapter uploads them as ghosts' avatars). Only images whose magic bytes were checked are ever served,
 * with headers that keep a browser from interpreting them as anything else ({@code nosniff}, a sandboxing
 * CSP). Links are content-addressed, so responses are cacheable for long.
 */
@Controller("/_bridge/xmpp/avatar")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AvatarController {
    private final AvatarSource source;

    public AvatarController(AvatarSource source) {
        this.source = source;
    }

    @Get(uri = "/{jid}/{sha1}/{signature}", produces = MediaType.ALL)
    public HttpResponse<byte[]> avatar(@PathVariable String jid, @PathVariable String sha1,
                                       @PathVariable String signature) {
        Optional<XmppAvatars> avatars = source.avatars();
        if (avatars.isEmpty()) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE);
        }
        XmppAvatars.Served served = avatars.get().serve(jid, sha1, signature);
        if (served instanceof XmppAvatars.Served.Found found) {
            return HttpResponse.ok(found.image().bytes())
                    .contentType(found.image().mimeType())
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", "sandbox; default-src 'none'")
                    .header("Cache-Control", "public, max-age=604800, immutable");
        }
        if (served instanceof XmppAvatars.Served.Unavailable) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE);
        }
        return HttpResponse.notFound();
    }
}
