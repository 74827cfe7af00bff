package org.prhelper.api;

import java.util.List;

/**
 * A snapshot of one socket.
 *
 * @param path the socket file, or null while the socket is not open (its configuration was invalid)
 * @param listening whether it accepts connections
 * @param requests requests handled since the socket was opened, by connections gone and present
 * @param clients the connections open at the time of the snapshot, oldest first
 */
public record SocketInfo(String name, String path, boolean listening, long requests, List<ClientInfo> clients) {
    public SocketInfo {
        clients = List.copyOf(clients);
    }

    public int connections() {
        return clients.size();
    }
}
