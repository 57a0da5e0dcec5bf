package org.bridgeappliance.adapter.matrix.media;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.MatrixAdapter;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Matrix media that the bridge linked for other networks ({@link MediaLinks}): checks the
 * signature, downloads through the authenticated media API and passes the bytes on with headers
 * that keep a browser from running them ({@code nosniff}, a sandboxing CSP).
 */
@Controller("/_bridge/matrix/media")
@ExecuteOn(TaskExecutors.BLOCKING)
public class MediaController {
    private static final Logger LOG = LoggerFactory.getLogger(MediaController.class);
    private final MatrixAdapter adapter;

    public MediaController(MatrixAdapter adapter) {
        this.adapter = adapter;
    }

    @Get(uri = "/{server}/{mediaId}/{signature}", produces = MediaType.ALL)
    public HttpResponse<byte[]> media(@PathVariable String server, @PathVariable String mediaId,
                                      @PathVariable String signature) {
        Optional<MediaLinks> links = adapter.mediaLinks();
        Optional<MatrixClient> client = adapter.client();
        if (links.isEmpty() || client.isEmpty()) {
            return HttpResponse.status(io.micronaut.http.HttpStatus.SERVICE_UNAVAILABLE);
        }
        Optional<String> mxc = links.get().verify(server, mediaId, signature);
        if (mxc.isEmpty()) {
            return HttpResponse.notFound();
        }
        try {
            MatrixClient.Media media = client.get().download(mxc.get());
            String type = media.contentType().matches("[\\w.+-]+/[\\w.+-]+(;.*)?") ? media.contentType()
                    : MediaType.APPLICATION_OCTET_STREAM;
            return HttpResponse.ok(media.content())
                    .contentType(type)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", "sandbox; default-src 'none'")
                    .header("Cache-Control", "public, max-age=86400");
        } catch (MatrixHttpException e) {
            LOG.info("media {} unavailable: {}", mxc.get(), e.getMessage());
            return e.status() == 404 ? HttpResponse.notFound()
                    : HttpResponse.status(io.micronaut.http.HttpStatus.BAD_GATEWAY);
        }
    }
}
