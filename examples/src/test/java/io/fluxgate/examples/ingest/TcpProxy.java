package io.fluxgate.examples.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the PostgreSQL server, so that a test can make the server "restart" for its own
 * connections only: {@link #down()} resets every connection and refuses new ones, {@link #up()} accepts them again,
 * on the same port. What the client sees is what it sees when the server restarts; the other sessions on the shared
 * server are not touched.
 */
final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private final java.util.concurrent.atomic.AtomicLong dropsLeft = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    /** Bytes the clients sent to the server so far, and the count at which the proxy goes down by itself. */
    private final java.util.concurrent.atomic.AtomicLong toServer = new java.util.concurrent.atomic.AtomicLong();
    private volatile long downAt = Long.MAX_VALUE;
    private final java.util.concurrent.CountDownLatch wentDown = new java.util.concurrent.CountDownLatch(1);

    TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        ServerSocket first = listen(0);
        this.port = first.getLocalPort();
        start(first);
    }

    int port() {
        return port;
    }

    /**
     * The next {@code connections} connections are reset when the client sends its first query (its first bytes after
     * the startup packet): the connection is lost in the middle of the first thing it does.
     */
    void dropOnFirstQuery(long connections) {
        dropsLeft.set(connections);
    }

    /** Connections reset by {@link #dropOnFirstQuery} so far. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Goes {@link #down()} by itself once the clients have sent {@code bytes} more bytes to the server: a restart in
     * the middle of a load, whatever the load's speed.
     */
    void downAfterBytesToServer(long bytes) {
        downAt = toServer.get() + bytes;
    }

    /**
     * Waits for the proxy to go down by itself ({@link #downAfterBytesToServer}).
     *
     * @return false if it did not within {@code timeout}
     */
    boolean awaitDown(java.time.Duration timeout) throws InterruptedException {
        return wentDown.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Resets every proxied connection and stops accepting: connections are refused until {@link #up()}. */
    synchronized void down() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket socket : open) {
            try {
                socket.setSoLinger(true, 0); // a reset, as when the server process goes away
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        open.clear();
    }

    /** Accepts connections again on the same port. */
    synchronized void up() throws IOException {
        if (server == null) {
            start(listen(port));
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void start(ServerSocket s) {
        server = s;
        Thread acceptor = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream;
                    try {
                        upstream = new Socket(targetHost, targetPort);
                    } catch (IOException e) {
                        client.close();
                        continue;
                    }
                    open.add(client);
                    open.add(upstream);
                    boolean drop = dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                    pump(client, upstream, drop, true);
                    pump(upstream, client, false, false);
                } catch (IOException e) {
                    // closed by down(), or the target refused: the client sees its connection end
                }
            }
        }, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(Socket from, Socket to, boolean dropOnSecondRead, boolean clientToServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int reads = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (dropOnSecondRead && ++reads == 2) {
                        dropped.incrementAndGet();
                        from.setSoLinger(true, 0);
                        to.setSoLinger(true, 0);
                        break;
                    }
                    out.write(buf, 0, n);
                    if (clientToServer && toServer.addAndGet(n) >= downAt) {
                        downAt = Long.MAX_VALUE;
                        down();
                        wentDown.countDown();
                    }
                }
            } catch (IOException ignored) {
                // one side went away: end the other too
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        down();
    }
}
