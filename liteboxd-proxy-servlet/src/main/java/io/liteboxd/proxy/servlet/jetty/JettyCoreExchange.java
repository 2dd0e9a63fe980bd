package io.liteboxd.proxy.servlet.jetty;

import io.liteboxd.proxy.error.ProxyException;
import io.liteboxd.proxy.internal.admission.SandboxGateway.Admission;
import io.liteboxd.proxy.internal.header.HeaderBlock;
import io.liteboxd.proxy.internal.header.HeaderContext;
import io.liteboxd.proxy.servlet.internal.http.HttpRelay;
import io.liteboxd.proxy.servlet.internal.http.PooledExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.Trailers;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * The client side of a {@link PooledExchange} through Jetty's core API, for {@link JettyHttpHandler}: no servlet
 * request, async context or output stream, and the response ends by completing the handler's callback.
 *
 * <p>A small body of announced length is gathered and sent with the head in one write at the end (a failure before
 * then can still become a clean 502). A larger one of announced length is collected into writes of up to
 * {@link #WRITE_SIZE} (one read of the upstream is a quarter of that: a write per read cost a third of the
 * download throughput); a streamed one (no length: server-sent events, logs) is written chunk by chunk as it comes.
 * While a write is in progress the connection stops reading, and the write's completion resumes it.
 *
 * <p>The request body is read as Jetty hands it over ({@link Request#read()}, and {@link Request#demand} when none
 * is there); what is there is gathered into writes of up to {@link #WRITE_SIZE}, each read only once the last is
 * written. A chunk of half that or more (a connector reading large buffers) is written as it is, without a copy.
 */
final class JettyCoreExchange extends PooledExchange {

    private final Request request;
    private final Response response;
    private final Callback callback;

    /** Body bytes of announced length waiting for the next write, or for the last one. */
    private ByteBuffer collected;
    /** A write was started and has not returned yet: its completion on this thread must not resume the connection. */
    private boolean inWrite;
    private boolean completedInWrite;
    /**
     * Non-blocking, as is everything the exchange does on either side: Jetty completes it on the thread that flushed
     * the write (a selector) instead of handing it to another thread.
     */
    private final Callback chunkWritten = Callback.from(InvocationType.NON_BLOCKING, this::chunkWritten,
            this::clientFailed);
    /** Body bytes arrived: the pump reads them and writes them upstream without blocking, on the thread Jetty has. */
    private final Runnable bodyArrived = Invocable.from(InvocationType.NON_BLOCKING, this::bodyAvailable);
    /** The request-body chunk the upstream is taking now, when it went without a copy. */
    private Content.Chunk chunk;
    /** A chunk read but not taken yet: it goes next. */
    private Content.Chunk pending;
    private ByteBuffer body;
    private boolean lastChunk;
    /** The trailer fields that ended a chunked request body, if any. */
    private HeaderBlock trailers;

    JettyCoreExchange(HttpRelay relay, Request request, Response response, Callback callback, Admission admission,
                      HeaderBlock headers, HeaderContext context, String contextPath, long bodyLength) {
        super(relay, admission, request.getMethod(), headers, context, contextPath, bodyLength);
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    void start() {
        // As a servlet in async mode would: no idle timeout while waiting for the upstream (its own idle timeout
        // answers 504 then); one during a write still fails the write, and the exchange with it.
        request.addIdleTimeoutListener(timeout -> false);
        request.addFailureListener(this::clientFailed);
        sendRequest();
    }

    @Override
    protected ByteBuffer readBody() throws IOException {
        // The previous piece has been written: a chunk that went without a copy is done with.
        release(chunk);
        chunk = null;
        if (lastChunk && pending == null) {
            return END;
        }
        // Jetty hands the body over a read buffer at a time (8 KiB by default): what is there is gathered into one
        // upstream write, since a write per chunk cost the upload much of its rate.
        if (body == null) {
            body = ByteBuffer.allocate(WRITE_SIZE);
        }
        body.clear();
        while (body.hasRemaining()) {
            Content.Chunk c = pending;
            pending = null;
            if (c == null) {
                if (lastChunk) {
                    break;
                }
                c = request.read();
                if (c == null) {
                    if (body.position() == 0) {
                        request.demand(bodyArrived);
                        return null;
                    }
                    break;
                }
                if (Content.Chunk.isFailure(c)) {
                    throw c.getFailure() instanceof IOException e ? e : new IOException(c.getFailure());
                }
                lastChunk = c.isLast();
                if (c instanceof Trailers t) {
                    trailers = new HeaderBlock(t.getTrailers().size());
                    t.getTrailers().forEach(f -> trailers.add(f.getName(), f.getValue()));
                }
            }
            ByteBuffer bytes = c.getByteBuffer();
            if (body.position() == 0 && bytes.remaining() >= WRITE_SIZE / 2) {
                // Worth a write of its own (a connector that reads large buffers hands over such chunks): it goes
                // as it is, without a copy, and is released once written.
                chunk = c;
                return bytes;
            }
            if (bytes.remaining() > body.remaining()) {
                pending = c;
                break;
            }
            body.put(bytes);
            c.release();
        }
        return body.position() == 0 ? END : body.flip();
    }

    @Override
    protected HeaderBlock requestTrailers() {
        return trailers;
    }

    @Override
    protected boolean bodyNonBlocking() {
        return true;
    }

    @Override
    protected void releaseBody() {
        release(chunk);
        release(pending);
        chunk = null;
        pending = null;
    }

    private static void release(Content.Chunk c) {
        if (c != null) {
            c.release();
        }
    }

    @Override
    protected void setStatus(int code) {
        response.setStatus(code);
    }

    @Override
    protected void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    @Override
    protected void enableTrailers() {
        response.setTrailersSupplier(() -> {
            HttpFields.Mutable fields = HttpFields.build();
            trailerFields().forEach(fields::add);
            return fields;
        });
    }

    @Override
    protected boolean writeContent(ByteBuffer content) {
        if (streamed) {
            // The connection reuses its read buffer once this returns, so the chunk is copied for the write.
            ByteBuffer chunk = BufferUtil.copy(content);
            content.position(content.limit());
            return write(chunk);
        }
        if (collected == null) {
            // A small body is gathered whole, in a buffer of the length the parser took; Jetty sets the length of
            // the last write that carries it.
            collected = BufferUtil.allocate(responseLength <= SMALL_BODY ? (int) responseLength : WRITE_SIZE);
        }
        if (content.remaining() > BufferUtil.space(collected)) {
            // Larger than one read (a pool may hand the connection a bigger buffer): both go out as one copy.
            ByteBuffer both = ByteBuffer.allocate(collected.remaining() + content.remaining());
            both.put(collected).put(content).flip();
            BufferUtil.clear(collected);
            return write(both);
        }
        // The buffer is written once less than one read's worth of space is left; the body's end goes with the last
        // write, which also ends the response. A small body is never written early: it goes whole, with its length.
        BufferUtil.append(collected, content);
        if (BufferUtil.space(collected) >= UPSTREAM_READ_SIZE || bodyComplete() || responseLength <= SMALL_BODY) {
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
        // Under the exchange's lock: a completion on another thread comes after this, and resumes the connection.
        waiting = !completedInWrite;
        return !completedInWrite;
    }

    private void chunkWritten() {
        synchronized (this) {
            BufferUtil.clear(collected);
            if (done) {
                return;
            }
            if (inWrite) {
                // Completed inside write() on this thread: writeContent tells the connection to go on.
                completedInWrite = true;
                return;
            }
        }
        resumeUpstream();
    }

    @Override
    protected void endResponse() {
        response.write(true, collected != null ? collected : BufferUtil.EMPTY_BUFFER, callback);
    }

    @Override
    protected boolean isCommitted() {
        return response.isCommitted();
    }

    @Override
    protected void endWithError(ProxyException error) {
        JettyHttpHandler.sendError(response, callback, error, true, null);
    }

    @Override
    protected void endAborted(Throwable cause) {
        // Failing the callback of a committed response makes Jetty abort the connection.
        callback.failed(cause);
    }

    @Override
    protected void endClientGone(Throwable failure) {
        callback.failed(failure);
    }
}
