package org.protowrap.validator.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A small SMTP server model for property tests: it reads what the wrapper forwards exactly as
 * RFC 5321 says (lines end at CRLF only, data ends at CRLF . CRLF only, BDAT chunks are counted)
 * and answers like a permissive server. It records every message's data as received, and every
 * bare CR or LF, so tests can check what reached it.
 */
final class StrictServer {

    private enum State { COMMANDS, DATA, CHUNK, AUTH, TLS, CLOSED }

    private final RandomGenerator random;
    private final List<String> capabilities;
    private final List<byte[]> messages = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final StringBuilder replies = new StringBuilder();
    private State state = State.COMMANDS;
    private long chunkLeft;
    private boolean chunkLast;
    private int recipients;
    private int chunkedMessages;

    StrictServer(RandomGenerator random, List<String> capabilities) {
        this.random = random;
        this.capabilities = capabilities;
    }

    String greeting() {
        return "220 strict.example ESMTP\r\n";
    }

    /** Reads forwarded bytes; returns the replies they caused. */
    String receive(byte[] bytes) {
        for (byte b : bytes) {
            receive(b);
        }
        String out = replies.toString();
        replies.setLength(0);
        return out;
    }

    private void receive(byte b) {
        switch (state) {
            case COMMANDS, AUTH -> {
                line.write(b);
                if (b == '\n') {
                    commandLine();
                }
            }
            case DATA -> {
                data.write(b);
                if (endsWith(data, "\r\n.\r\n") || (data.size() == 3 && endsWith(data, ".\r\n"))) {
                    byte[] body = data.toByteArray();
                    messages.add(java.util.Arrays.copyOf(body, body.length - 3));
                    data.reset();
                    state = State.COMMANDS;
                    replies.append("250 2.0.0 Ok: queued\r\n");
                }
            }
            case CHUNK -> {
                data.write(b);
                if (--chunkLeft == 0) {
                    chunkDone();
                }
            }
            case TLS, CLOSED -> { }
        }
    }

    private void commandLine() {
        byte[] bytes = line.toByteArray();
        line.reset();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!text.endsWith("\r\n") || text.indexOf('\r') != text.length() - 2) {
            problems.add("a command line that is not CRLF-terminated text: " + text.replace("\r", "\\r").replace("\n", "\\n"));
        }
        String command = text.strip();
        if (state == State.AUTH) {
            state = State.COMMANDS;
            replies.append(command.equals("*") ? "501 5.7.0 cancelled\r\n" : "235 2.7.0 Ok\r\n");
            return;
        }
        String verb = command.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        replies.append(reply(verb, command));
    }

    private String reply(String verb, String command) {
        return switch (verb) {
            case "EHLO" -> ehlo();
            case "HELO", "NOOP", "RSET" -> {
                recipients = verb.equals("NOOP") ? recipients : 0;
                yield "250 2.0.0 Ok\r\n";
            }
            case "MAIL" -> "250 2.1.0 Ok\r\n";
            case "RCPT" -> rcpt();
            case "DATA" -> {
                if (recipients == 0) {
                    yield "554 5.5.1 Error: no valid recipients\r\n";
                }
                state = State.DATA;
                yield "354 End data with <CR><LF>.<CR><LF>\r\n";
            }
            case "BDAT" -> bdat(command);
            case "VRFY" -> "252 2.0.0 Maybe\r\n";
            case "AUTH" -> {
                if (command.split(" ").length > 2) {
                    yield "235 2.7.0 Ok\r\n";
                }
                state = State.AUTH;
                yield "334 \r\n";
            }
            case "STARTTLS" -> {
                state = State.TLS;
                yield "220 2.0.0 Go ahead\r\n";
            }
            case "QUIT" -> {
                state = State.CLOSED;
                yield "221 2.0.0 Bye\r\n";
            }
            default -> "500 5.5.2 What?\r\n";
        };
    }

    private String ehlo() {
        StringBuilder out = new StringBuilder("250");
        out.append(capabilities.isEmpty() ? " " : "-").append("strict.example\r\n");
        for (int i = 0; i < capabilities.size(); i++) {
            out.append(i == capabilities.size() - 1 ? "250 " : "250-").append(capabilities.get(i)).append("\r\n");
        }
        return out.toString();
    }

    private String rcpt() {
        if (random.nextInt(4) == 0) {
            return "550 5.1.1 No such user\r\n";
        }
        recipients++;
        return "250 2.1.5 Ok\r\n";
    }

    private String bdat(String command) {
        String[] words = command.split(" ");
        chunkLeft = Long.parseLong(words[1]);
        chunkLast = words.length > 2;
        if (chunkLeft == 0) {
            return chunkReply();
        }
        state = State.CHUNK;
        return "";
    }

    private void chunkDone() {
        state = State.COMMANDS;
        replies.append(chunkReply());
    }

    private String chunkReply() {
        if (!chunkLast) {
            return "250 2.0.0 chunk received\r\n";
        }
        chunkedMessages++;
        data.reset();
        return "250 2.0.0 Ok: queued\r\n";
    }

    private static boolean endsWith(ByteArrayOutputStream out, String suffix) {
        byte[] bytes = out.toByteArray();
        if (bytes.length < suffix.length()) {
            return false;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (bytes[bytes.length - suffix.length() + i] != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The data of every message completed with DATA, end-of-data line excluded. */
    List<byte[]> dataMessages() {
        return messages;
    }

    /** Messages completed with DATA or BDAT LAST. */
    int completedMessages() {
        return messages.size() + chunkedMessages;
    }

    /** The data received so far of a message not yet complete. */
    byte[] pendingData() {
        return data.toByteArray();
    }

    boolean inData() {
        return state == State.DATA;
    }

    boolean inTls() {
        return state == State.TLS;
    }

    List<String> problems() {
        return problems;
    }
}
