package io.liteboxd.proxy.servlet.http;

import io.liteboxd.proxy.header.HeaderContext;
import io.liteboxd.proxy.SandboxGateway.Admission;
import io.liteboxd.proxy.error.ErrorBody;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The client side of a {@link PooledExchange} through Jetty's core API, for {@link JettyHttpHandler}: no servlet
 * request, async context or output stream, and the response ends by completing the handler's callback.
 *
 * <p>A small body of announced length is gathered and sent with the head in one write at the end (a failure before
 * then can still become a clean 502). A larger one of announced length is collected into writes of up to
 * {@link #WRITE_SIZE} (one read of the upstream is a quarter of that: a write per read cost a third of the
 * download throughput); a streamed one (no length: server-sent events, logs) is written chunk by chunk as it comes.
 * While a write is in progress the connection stops reading, and the write's completion resumes it.
 */
final class JettyCoreExchange extends PooledExchange {

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String contextPath;

    /** Largest write of a body of announced length. */
    static final int WRITE_SIZE = 64 * 1024;

    private ByteBuffer gathered;
    /** Body bytes waiting for the next write (announced length above the gather limit). */
    private ByteBuffer collected;
    private boolean gathering;
    /** A write was started and has not returned yet: its completion on this thread must not resume the connection. */
    private boolean inWrite;
    private boolean completedInWrite;
    private final Callback chunkWritten = Callback.from(this::chunkWritten, this::clientFailed);

    JettyCoreExchange(PooledRelay relay, Request request, Response response, Callback callback, Admission admission,
                      UpstreamConnections.Origin origin, byte[] head, HeaderContext context,
                      String contextPath) {
        super(relay, admission, origin, head, request.getMethod(), context);
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.contextPath = contextPath;
    }

    void start() {
        // As a servlet in async mode would: no idle timeout while waiting for the upstream (its own idle timeout
        // answers 504 then); one during a write still fails the write, and the exchange with it.
        request.addIdleTimeoutListener(timeout -> false);
        request.addFailureListener(this::clientFailed);
        synchronized (this) {
            dispatch(false);
        }
    }

    @Override
    void setStatus(int code) {
        response.setStatus(code);
    }

    @Override
    void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    @Override
    boolean setsOwnLength() {
        // The gathered body goes out with the upstream's Content-Length, which it matches.
        return false;
    }

    @Override
    int gatherLimit() {
        return SMALL_BODY;
    }

    @Override
    boolean http11() {
        return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1;
    }

    @Override
    void enableTrailers() {
        response.setTrailersSupplier(() -> {
            HttpFields.Mutable fields = HttpFields.build();
            for (Map.Entry<String, String> e : trailerFields().entrySet()) {
                fields.add(e.getKey(), e.getValue());
            }
            return fields;
        });
    }

    @Override
    void addGatewayCookie() {
        if (!HttpRelay.setsGatewayCookie(admission)) {
            return;
        }
        String cookie = HttpRelay.gatewayCookie(contextPath, request.isSecure(), admission);
        if (cookie != null) {
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookie);
        }
    }

    @Override
    boolean headComplete(boolean gathered) {
        gathering = gathered;
        return false;
    }

    @Override
    boolean writeContent(ByteBuffer content) {
        if (gathering) {
            // At most SMALL_BODY bytes in all, as announced.
            if (gathered == null) {
                gathered = BufferUtil.allocate(SMALL_BODY);
            }
            BufferUtil.append(gathered, content);
            return false;
        }
        if (streamed) {
            // The connection reuses its read buffer once this returns, so the chunk is copied for the write.
            ByteBuffer chunk = BufferUtil.copy(content);
            content.position(content.limit());
            return write(chunk);
        }
        if (collected == null) {
            collected = BufferUtil.allocate(WRITE_SIZE);
        }
        if (content.remaining() > BufferUtil.space(collected)) {
            // Larger than one read (a pool may hand the connection a bigger buffer): both go out as one copy.
            ByteBuffer both = ByteBuffer.allocate(collected.remaining() + content.remaining());
            both.put(collected).put(content).flip();
            BufferUtil.clear(collected);
            return write(both);
        }
        // The buffer is written once less than one read's worth of space is left.
        BufferUtil.append(collected, content);
        if (BufferUtil.space(collected) >= UpstreamConnection.BUFFER_SIZE) {
            return false;
        }
        return write(collected);
    }

    /** @return true if the write is still in progress: the connection waits for its completion */
    private boolean write(ByteBuffer bytes) {
        inWrite = true;
        completedInWrite = false;
        waiting = true;
        response.write(false, bytes, chunkWritten);
        inWrite = false;
        if (completedInWrite) {
            waiting = false;
            return false;
        }
        return true;
    }

    private void chunkWritten() {
        UpstreamConnection resume = null;
        synchronized (this) {
            if (collected != null) {
                BufferUtil.clear(collected);
            }
            if (done) {
                return;
            }
            if (inWrite) {
                // Completed inside write() on this thread: writeContent tells the connection to go on.
                completedInWrite = true;
                return;
            }
            resume = stopWaiting();
        }
        if (resume != null) {
            resume.resume();
        }
    }

    @Override
    void endResponse() {
        ByteBuffer last = gathered != null ? gathered : collected != null ? collected : BufferUtil.EMPTY_BUFFER;
        response.write(true, last, callback);
    }

    @Override
    boolean isCommitted() {
        return response.isCommitted();
    }

    @Override
    void endWithError(int errorStatus) {
        byte[] body = errorBody(errorStatus);
        response.reset();
        response.setStatus(errorStatus);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONNECTION, "close");
        headers.put(HttpHeader.CONTENT_TYPE, ErrorBody.CONTENT_TYPE);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    void endAborted(Throwable cause) {
        // Failing the callback of a committed response makes Jetty abort the connection.
        callback.failed(cause);
    }

    @Override
    void endClientGone(Throwable failure) {
        callback.failed(failure);
    }
}
