package org.bridgeappliance.adapter.matrix.media;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Matrix media that the bridge linked for other networks ({@link MediaLinks}): checks the
 * signature, downloads through the authenticated media API and passes the bytes on with headers
 * that keep a browser from running them ({@code nosniff}, a sandboxing CSP).
 *
 * <p>Signed links are public in the rooms they were posted to, so anyone there can request them as often as
 * they like: the body is streamed from the homeserver as it arrives (never held in memory whole), and at most
 * {@code bridge.matrix.media-serve-max-concurrent} downloads run at once; beyond that the answer is 503 with
 * {@code Retry-After}, before anything is fetched. A download holds its slot until its stream is closed (the
 * server closes it when the response is complete or the client went away).
 */
@Controller("/_bridge/matrix/media")
@ExecuteOn(TaskExecutors.BLOCKING)
public class MediaController {
    private static final Logger LOG = LoggerFactory.getLogger(MediaController.class);
    /** Seconds a client is asked to wait when every download slot is taken. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final MediaSource source;
    private final long maxBytes;
    private final Semaphore downloads;

    public MediaController(MediaSource source, MatrixConfig config) {
        this.source = source;
        this.maxBytes = config.getMediaMaxBytes();
        this.downloads = new Semaphore(config.getMediaServeMaxConcurrent());
    }

    @Get(uri = "/{server}/{mediaId}/{signature}", produces = MediaType.ALL)
    public HttpResponse<?> media(@PathVariable String server, @PathVariable String mediaId,
                                 @PathVariable String signature) {
        Optional<MediaLinks> links = source.mediaLinks();
        Optional<MediaSource.Downloads> downloader = source.downloads();
        if (links.isEmpty() || downloader.isEmpty()) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE);
        }
        Optional<String> mxc = links.get().verify(server, mediaId, signature);
        if (mxc.isEmpty()) {
            return HttpResponse.notFound();
        }
        if (!downloads.tryAcquire()) {
            LOG.debug("media {}: every download slot is taken; 503", mxc.get());
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        }
        boolean handedOver = false;
        try {
            MatrixClient.MediaStream media = downloader.get().open(mxc.get(), maxBytes);
            String type = media.contentType().matches("[\\w.+-]+/[\\w.+-]+(;.*)?") ? media.contentType()
                    : MediaType.APPLICATION_OCTET_STREAM;
            InputStream body = new ReleasingInputStream(media.body(), downloads);
            StreamedFile file = media.contentLength() >= 0
                    ? new StreamedFile(body, MediaType.of(type), 0, media.contentLength())
                    : new StreamedFile(body, MediaType.of(type));
            handedOver = true;
            return HttpResponse.ok(file)
                    .contentType(type)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", "sandbox; default-src 'none'")
                    .header("Cache-Control", "public, max-age=86400");
        } catch (MatrixHttpException e) {
            LOG.info("media {} unavailable: {}", mxc.get(), e.getMessage());
            return e.status() == 404 ? HttpResponse.notFound() : HttpResponse.status(HttpStatus.BAD_GATEWAY);
        } finally {
            if (!handedOver) {
                downloads.release();
            }
        }
    }

    /** Gives the download slot back exactly once, when the server closes the stream. */
    private static final class ReleasingInputStream extends FilterInputStream {
        private final Semaphore slots;
        private final AtomicBoolean released = new AtomicBoolean();

        ReleasingInputStream(InputStream in, Semaphore slots) {
            super(in);
            this.slots = slots;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                if (released.compareAndSet(false, true)) {
                    slots.release();
                }
            }
        }
    }
}
