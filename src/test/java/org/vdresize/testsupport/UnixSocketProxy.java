package org.vdresize.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix socket that forwards to libvirtd's socket, so that a test can make a libvirt "host" go away
 * and come back without touching the shared daemon: {@link #cutConnections()} is what clients see
 * when the daemon dies (end of file on open connections), {@link #stop()} makes new connections
 * fail as for a stopped daemon, {@link #start()} brings it back. Clients use {@link #uri()}.
 */
public final class UnixSocketProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnixSocketProxy.class);
    public static final Path LIBVIRT_SOCKET = Path.of("/var/run/libvirt/libvirt-sock");

    private final Path socket;
    private final Path upstream;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocketChannel server;

    public UnixSocketProxy(Path socket, Path upstream) {
        this.socket = socket;
        this.upstream = upstream;
    }

    /** A proxy to libvirtd's system socket, listening at {@code socket}; started. */
    public static UnixSocketProxy toLibvirt(Path socket) {
        UnixSocketProxy proxy = new UnixSocketProxy(socket, LIBVIRT_SOCKET);
        proxy.start();
        return proxy;
    }

    /** {@code qemu+unix:///system?socket=<this socket>}. */
    public String uri() {
        return "qemu+unix:///system?socket=" + socket;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket));
            server = channel;
            Thread acceptor = new Thread(() -> accept(channel), "proxy-accept-" + socket.getFileName());
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes every forwarded connection; the proxy keeps accepting new ones. */
    public void cutConnections() {
        for (SocketChannel channel : open) {
            closeQuietly(channel);
        }
        open.clear();
    }

    /** Stops listening, removes the socket file and cuts every connection. */
    public synchronized void stop() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", socket, e.toString());
        }
        cutConnections();
    }

    public int openConnections() {
        return open.size() / 2;
    }

    @Override
    public void close() {
        stop();
    }

    private void accept(ServerSocketChannel channel) {
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                SocketChannel daemon = SocketChannel.open(UnixDomainSocketAddress.of(upstream));
                open.add(client);
                open.add(daemon);
                pump(client, daemon);
                pump(daemon, client);
            } catch (IOException e) {
                if (channel.isOpen()) {
                    log.debug("proxy accept failed: {}", e.toString());
                }
                return;
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread thread = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                log.trace("proxy pump ended: {}", e.toString());
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.trace("close: {}", e.toString());
        }
    }
}
