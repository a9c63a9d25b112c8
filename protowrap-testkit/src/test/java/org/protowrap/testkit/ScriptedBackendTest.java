package org.protowrap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ScriptedBackendTest {

    @Test
    void aLineServerGreetsAnswersAndClosesWhenTheScriptSaysSo() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.lines("+OK ready", line -> line.equals("QUIT") ? null : "+OK " + line);
                Socket client = new Socket(backend.socketAddress().getAddress(), backend.socketAddress().getPort())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("+OK ready", in.readLine());
            client.getOutputStream().write("STAT\r\nQUIT\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("+OK STAT", in.readLine());
            assertNull(in.readLine());
            assertEquals(List.of("STAT", "QUIT"), backend.received());
        }
    }
}
