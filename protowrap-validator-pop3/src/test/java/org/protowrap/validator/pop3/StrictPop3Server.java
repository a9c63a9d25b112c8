package org.protowrap.validator.pop3;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A small POP3 server model for property tests: it reads what the wrapper forwards exactly as
 * RFC 1939 says (lines end at CRLF only; each command must be known, well-formed and valid in
 * the state) and records every line that breaks those rules as a problem. It answers like a
 * permissive server, with dot-stuffed multi-line responses over messages full of dot lines.
 */
final class StrictPop3Server {

    static final String USER = "alice";
    static final String PASSWORD = "secret";
    static final String PLAIN = Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD)
            .getBytes(StandardCharsets.US_ASCII));

    private final List<String> problems = new ArrayList<>();
    private final List<byte[]> messages = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder out = new StringBuilder();
    private final boolean pipelining;
    private Pop3State state = Pop3State.AUTHORIZATION;
    private boolean userOk;
    private boolean saslPending;
    private boolean closed;

    StrictPop3Server(RandomGenerator random) {
        this.pipelining = random.nextBoolean();
        String[] pieces = {".", "..", "...", ". x", "text", "", ".\r", "a.b"};
        for (int m = 0; m < 3; m++) {
            StringBuilder body = new StringBuilder("Subject: m" + m + "\r\n\r\n");
            for (int i = random.nextInt(8); i > 0; i--) {
                body.append(pieces[random.nextInt(pieces.length)].replace("\r", "")).append("\r\n");
            }
            messages.add(body.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    String greeting() {
        return "+OK strict POP3 ready\r\n";
    }

    List<String> problems() {
        return problems;
    }

    Pop3State state() {
        return state;
    }

    /** Reads forwarded bytes; returns the responses they caused. */
    String receive(byte[] bytes) {
        for (byte b : bytes) {
            if (closed) {
                problems.add("bytes after the session ended");
                break;
            }
            line.write(b);
            if (b == '\n') {
                onLine(line.toString(StandardCharsets.ISO_8859_1));
                line.reset();
            }
        }
        String responses = out.toString();
        out.setLength(0);
        return responses;
    }

    private void onLine(String raw) {
        if (!raw.endsWith("\r\n") || raw.indexOf('\r') != raw.length() - 2) {
            problems.add("not a CRLF line: " + raw.replace("\r", "\\r").replace("\n", "\\n"));
        }
        String text = raw.substring(0, raw.length() - (raw.endsWith("\r\n") ? 2 : 1));
        if (saslPending) {
            saslPending = false;
            login(text.equals(PLAIN));
            return;
        }
        if (text.length() + 2 > 255) {
            problems.add("line longer than 255 octets");
        }
        String[] words = text.split(" ", -1);
        String verb = words[0].toUpperCase(Locale.ROOT);
        int args = words.length - 1;
        if (!valid(verb, words, args)) {
            problems.add("invalid command in " + state + ": " + text);
            reply("-ERR invalid");
            return;
        }
        answer(verb, words, args);
    }

    private boolean valid(String verb, String[] words, int args) {
        boolean auth = state == Pop3State.AUTHORIZATION;
        boolean trans = state == Pop3State.TRANSACTION;
        return switch (verb) {
            case "USER" -> auth && args == 1 && !words[1].isEmpty();
            case "PASS" -> auth && userOk && args >= 1;
            case "AUTH" -> auth && args <= 2;
            case "APOP" -> auth && args == 2 && words[2].matches("[0-9a-f]{32}");
            case "CAPA" -> (auth || trans) && args == 0;
            case "QUIT" -> args == 0;
            case "STAT", "NOOP", "RSET" -> trans && args == 0;
            case "LIST", "UIDL" -> trans && (args == 0 || (args == 1 && number(words[1])));
            case "RETR", "DELE" -> trans && args == 1 && number(words[1]);
            case "TOP" -> trans && args == 2 && number(words[1]) && words[2].matches("0|[1-9][0-9]{0,9}");
            default -> false;
        };
    }

    private static boolean number(String s) {
        return s.matches("[1-9][0-9]{0,9}");
    }

    private void answer(String verb, String[] words, int args) {
        switch (verb) {
            case "USER" -> {
                userOk = words[1].equals(USER);
                reply(userOk ? "+OK" : "-ERR [AUTH] no such user");
            }
            case "PASS" -> {
                userOk = false;
                login(String.join(" ", java.util.Arrays.copyOfRange(words, 1, words.length)).equals(PASSWORD));
            }
            case "AUTH" -> auth(words, args);
            case "APOP" -> login(false);
            case "CAPA" -> multi("CAPA\r\nUSER\r\nSASL PLAIN\r\nTOP\r\nUIDL\r\nSTLS\r\n"
                    + (pipelining ? "PIPELINING\r\n" : ""));
            case "QUIT" -> {
                reply("+OK bye");
                closed = true;
            }
            case "LIST", "UIDL" -> {
                if (args == 1) {
                    reply(exists(words[1]) ? "+OK " + words[1] + " 10" : "-ERR no such message");
                } else {
                    multi("1 10\r\n2 20\r\n3 30\r\n");
                }
            }
            case "RETR", "TOP" -> {
                if (exists(words[1])) {
                    reply("+OK");
                    out.append(stuffed(messages.get(Integer.parseInt(words[1]) - 1))).append(".\r\n");
                } else {
                    reply("-ERR no such message");
                }
            }
            default -> reply("+OK");
        }
        userOk = userOk && verb.equals("USER");
    }

    private void auth(String[] words, int args) {
        if (args == 0) {
            multi("PLAIN\r\n");
        } else if (!words[1].equalsIgnoreCase("PLAIN")) {
            reply("-ERR [AUTH] unsupported mechanism");
        } else if (args == 2) {
            login(words[2].equals(PLAIN));
        } else {
            reply("+ ");
            saslPending = true;
        }
    }

    private void login(boolean ok) {
        if (ok) {
            state = Pop3State.TRANSACTION;
            reply("+OK logged in");
        } else {
            reply("-ERR [AUTH] Authentication failed");
        }
    }

    private static boolean exists(String number) {
        return number.length() == 1 && number.charAt(0) >= '1' && number.charAt(0) <= '3';
    }

    private void reply(String status) {
        out.append(status).append("\r\n");
    }

    private void multi(String lines) {
        reply("+OK");
        out.append(lines).append(".\r\n");
    }

    private static String stuffed(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        for (String l : text.split("\r\n", -1)) {
            sb.append(l.startsWith(".") ? "." + l : l).append("\r\n");
        }
        return sb.substring(0, sb.length() - 2);
    }
}
