package io.mlconnector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Issue 11: an unreachable FreshBooks at start is one warning naming the URL and the key, not silence. */
class FreshBooksReachabilityTest {

    @Test
    void noAnswerIsOneLineNamingTheUrlAndTheKey() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closed);

        assertThat(FreshBooksReachability.problem(url)).hasValueSatisfying(warning -> assertThat(warning)
                .contains(url.toString(), "freshbooks.api-base-url", "ConnectException").doesNotContain("\n"));
    }

    @Test
    void anyHttpAnswerCountsAsThere() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            assertThat(FreshBooksReachability.problem(URI.create("http://127.0.0.1:" + server.getAddress().getPort())))
                    .isEmpty();
        } finally {
            server.stop(0);
        }
    }
}
