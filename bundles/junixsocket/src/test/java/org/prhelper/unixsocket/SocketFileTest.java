package org.prhelper.unixsocket;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

public class SocketFileTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void modeBitsMapToPermissions() {
        assertEquals(PosixFilePermissions.fromString("rw-------"), SocketFile.mode("600"));
        assertEquals(PosixFilePermissions.fromString("rwxr-x--x"), SocketFile.mode(" 0751 "));
        assertEquals(PosixFilePermissions.fromString("---------"), SocketFile.mode("0"));
        assertNull("empty: the umask decides", SocketFile.mode(""));
        assertNull(SocketFile.mode(null));
    }

    @Test
    public void aBadModeIsRefusedNamingTheKeyAndValue() {
        for (String bad : new String[] {"0988", "01777", "rw", "-1"}) {
            String message = assertThrows(IllegalArgumentException.class, () -> SocketFile.mode(bad)).getMessage();
            assertTrue(message, message.startsWith("mode = '" + bad + "': "));
        }
    }

    @Test
    public void applyGivesTheModeAndAnUnknownOwnerIsNamedInTheError() throws Exception {
        Path f = tmp.newFile("s").toPath();
        SocketFile.apply(f, SocketFile.mode("0640"), "", " ");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        String message = assertThrows(java.io.IOException.class,
                () -> SocketFile.apply(f, null, "no-such-user-prhelper", "")).getMessage();
        assertTrue(message, message.startsWith("owner = 'no-such-user-prhelper', group = '': cannot apply to " + f));
    }

    @Test
    public void onlyALiveSocketAnswers() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("live.sock");
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path))) {
            assertTrue(SocketFile.answers(path));
        }
        Files.deleteIfExists(path);
        Files.createFile(path); // what a killed agent leaves behind: a file nobody listens on
        assertFalse(SocketFile.answers(path));
        assertFalse(SocketFile.answers(tmp.getRoot().toPath().resolve("none.sock")));
    }

    @Test
    public void aFileIsDeletedOnlyWhileItIsStillTheOneTaken() throws Exception {
        Path path = tmp.newFile("a.sock").toPath();
        SocketFile.Identity ours = SocketFile.identity(path);
        // Another agent takes the path over: on ext4 the new file often gets the same inode.
        Files.delete(path);
        Files.createFile(path);
        Files.setLastModifiedTime(path, FileTime.fromMillis(Files.getLastModifiedTime(path).toMillis() + 5000));
        assertFalse(ours.deleteIfStill(path));
        assertTrue("the other agent's file stays", Files.exists(path));
        SocketFile.Identity theirs = SocketFile.identity(path);
        assertTrue(theirs.deleteIfStill(path));
        assertFalse(Files.exists(path));
        assertFalse("gone already", theirs.deleteIfStill(path));
    }
}
