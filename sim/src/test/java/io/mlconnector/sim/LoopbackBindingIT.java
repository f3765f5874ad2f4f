package io.mlconnector.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 7: every simulator listens on 127.0.0.1 only unless told otherwise. On Linux all of 127/8 is
 * loopback, so 127.0.0.2 reaches a port only when it is bound to every interface; this machine's own non-loopback
 * addresses are tried too.
 */
class LoopbackBindingIT {

    @Test
    void everySimulatorListensOnLoopbackOnly() throws Exception {
        try (Simulators sims = Simulators.start(0, 42, Clock.systemUTC())) {
            for (int port : ports(sims)) {
                assertThat(accepts(InetAddress.getByName("127.0.0.1"), port)).as("127.0.0.1:%d", port).isTrue();
                for (InetAddress other : otherAddresses()) {
                    assertThat(accepts(other, port)).as("%s:%d", other.getHostAddress(), port).isFalse();
                }
            }
        }
    }

    /** Shows the probe above sees a wider bind (so its assertions can fail), and that the bind host is honoured. */
    @Test
    void aBindHostOfAllInterfacesIsReachableOnThem() throws Exception {
        try (Simulators sims = Simulators.start("0.0.0.0", 0, Simulators.Options.defaults(42), Clock.systemUTC())) {
            for (int port : ports(sims)) {
                assertThat(accepts(InetAddress.getByName("127.0.0.2"), port)).as("127.0.0.2:%d", port).isTrue();
            }
        }
    }

    private static List<Integer> ports(Simulators sims) {
        return List.of(sims.entra().port(), sims.powerBi().port(), sims.freshBooks().port());
    }

    /** 127.0.0.2 and this machine's IPv4 and IPv6 addresses that are not loopback. */
    private static List<InetAddress> otherAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        addresses.add(InetAddress.getByName("127.0.0.2"));
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream()
                        .filter(a -> !a.isLinkLocalAddress()) // needs a scope id to connect; not what exposure means
                        .forEach(addresses::add);
            }
        }
        return addresses;
    }

    private static boolean accepts(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1_000);
            return true;
        } catch (SocketException | java.net.SocketTimeoutException e) {
            return false; // refused, unreachable or filtered: not listening there
        }
    }
}
