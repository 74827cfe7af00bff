package org.prhelper.api;

import java.time.Instant;

/**
 * A snapshot of one client connection.
 *
 * @param id the connection's name in logs, {@code SOCKET#N}
 * @param peer its credentials, {@link PeerIdentity#UNKNOWN} until read
 * @param requests requests handled on it (counted just before the reply is sent)
 * @param lastCommand the last of them, as {@link PrCommands#name}, or null before the first
 * @param requestSince when the request being executed began, null between requests: a request that
 *     stays for long shows a device that does not answer
 */
public record ClientInfo(String id, PeerIdentity peer, Instant connectedSince, long requests, String lastCommand,
        Instant requestSince) {
}
