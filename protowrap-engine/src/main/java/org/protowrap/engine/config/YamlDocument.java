package org.protowrap.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.protowrap.api.Problem;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML file read into plain values (maps, lists, strings, numbers, booleans) together with
 * where each key and list element stands, so that every later message can name file, line and
 * column. Jackson's tree model drops locations, hence this small streaming reader.
 *
 * <p>Limits: one document per file; a key repeated in one map is an error rather than "last one
 * wins"; anchors, aliases, merge keys and tags are refused (each with its location) rather than
 * expanded; a file over {@link #MAX_FILE_BYTES} or a line over 64 KiB is refused before parsing.
 */
public final class YamlDocument {

    private final String fileName;
    private final Object root;
    private final Map<String, String> locations;
    private final List<Problem> problems;
    private final boolean complete;

    private YamlDocument(String fileName, Object root, Map<String, String> locations, List<Problem> problems,
            boolean complete) {
        this.complete = complete;
        this.fileName = fileName;
        this.root = root;
        this.locations = locations;
        this.problems = problems;
    }

    /** The largest configuration file read: a real one is a few KiB; a bigger one is an accident or an attack. */
    public static final long MAX_FILE_BYTES = 2L << 20;
    /** The longest line read: a long one-line list of backends fits, a pasted blob does not. */
    static final int MAX_LINE_CHARS = 64 * 1024;

    /** Reads YAML text; syntax errors and oversize input become problems rather than exceptions. */
    public static YamlDocument parse(String fileName, String text) {
        Reader reader = new Reader(fileName);
        if (!reader.withinLimits(text)) {
            return new YamlDocument(fileName, null, reader.locations, reader.problems, false);
        }
        Object root = null;
        boolean parsed = false;
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            if (parser.nextToken() != null) {
                root = reader.value(parser, "");
            }
            parsed = true;
        } catch (JacksonYAMLParseException e) {
            // the parser's own exception, with its marks, is the cause
            reader.problems.add(e.getCause() instanceof MarkedYAMLException marked
                    ? syntaxProblem(fileName, marked) : located(fileName, e));
        } catch (JsonProcessingException e) {
            reader.problems.add(located(fileName, e));
        } catch (IOException e) {
            reader.problems.add(new Problem(fileName, "(file)", e.getMessage()));
        }
        return new YamlDocument(fileName, root, reader.locations, reader.problems, parsed && !reader.leftOut);
    }

    private static Problem located(String fileName, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? fileName : fileName + ":" + at.getLineNr() + ":" + at.getColumnNr();
        return new Problem(where, "(syntax)", firstLine(e.getOriginalMessage()));
    }

    /**
     * One line at the parser's own mark, with a hint for the usual mistakes. An unclosed {@code [}
     * or <code>{</code> is located where it opened, since the parser notices it only later.
     */
    private static Problem syntaxProblem(String fileName, MarkedYAMLException e) {
        Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        Mark opened = e.getContextMark();
        String raw = firstLine(e.getProblem() == null ? e.getMessage() : e.getProblem());
        boolean tab = raw.contains("(TAB)") || raw.contains("\t");
        String problem = raw.replace("\\t(TAB)", "tab").replace("\t(TAB)", "tab");
        String context = e.getContext() == null ? "" : e.getContext();
        String message;
        if (context.contains("flow") && opened != null && at != null) {
            String bracket = context.contains("sequence") ? "[" : "{";
            message = "this '" + bracket + "' is not closed (at line " + (at.getLine() + 1) + ", column "
                    + (at.getColumn() + 1) + ": " + problem + "); hint: close it with '"
                    + (bracket.equals("[") ? "]" : "}") + "', or add a missing ','";
            at = opened;
        } else if (tab) {
            message = problem + "; hint: tabs are not allowed for indentation in YAML, indent with spaces";
        } else if (problem.contains("mapping values are not allowed")) {
            message = problem + "; hint: quote a value that holds ': ', or check the indentation";
        } else {
            message = problem + (context.isEmpty() ? "" : " (" + firstLine(context) + ")");
        }
        String where = at == null ? fileName : fileName + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1);
        return new Problem(where, "(syntax)", message);
    }

    private static String firstLine(String text) {
        String t = text == null ? "syntax error" : text.strip();
        int end = t.indexOf('\n');
        return end < 0 ? t : t.substring(0, end).strip();
    }

    public String fileName() {
        return fileName;
    }

    /** The document's root value, or null for an empty document or one that did not parse. */
    public Object root() {
        return root;
    }

    /** {@code file:line:column} of a key path ({@code wrappers[1].destAddr[0]}), or the file name. */
    public String locate(String path) {
        String p = path;
        while (true) {
            String at = locations.get(p);
            if (at != null || p.isEmpty()) {
                return at != null ? at : fileName;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }

    /** Syntax errors, refused YAML features, oversize input and repeated keys. */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * False when part of the file was not read (a syntax error, oversize input, an alias, anchor,
     * tag or merge key): checking the rest would report keys as missing that the file does give.
     */
    public boolean complete() {
        return complete;
    }

    private static final class Reader {
        private final String fileName;
        private final Map<String, String> locations = new HashMap<>();
        private final List<Problem> problems = new ArrayList<>();
        private boolean leftOut;

        Reader(String fileName) {
            this.fileName = fileName;
        }

        /** Refuses a file too big or with a line too long before the YAML parser builds anything from it. */
        boolean withinLimits(String text) {
            if (text.length() > MAX_FILE_BYTES) {
                problems.add(new Problem(fileName, "(file)", "is " + text.length() + " characters; a configuration file "
                        + "may have at most " + MAX_FILE_BYTES + " (" + (MAX_FILE_BYTES >> 20) + " MiB)"));
                return false;
            }
            int line = 1;
            for (int start = 0; start < text.length(); line++) {
                int end = text.indexOf('\n', start);
                int stop = end < 0 ? text.length() : end;
                if (stop - start > MAX_LINE_CHARS) {
                    problems.add(new Problem(fileName + ":" + line + ":1", "(file)", "line " + line + " has "
                            + (stop - start) + " characters; a line may have at most " + MAX_LINE_CHARS));
                    return false;
                }
                start = stop + 1;
            }
            return true;
        }

        Object value(JsonParser p, String path) throws IOException {
            JsonToken token = p.currentToken();
            locations.putIfAbsent(path, where(p));
            if (!plain((YAMLParser) p, path)) {
                p.skipChildren();
                return null;
            }
            return switch (token) {
                case START_OBJECT -> map(p, path);
                case START_ARRAY -> list(p, path);
                case VALUE_STRING -> p.getText();
                case VALUE_NUMBER_INT -> p.getNumberValue();
                case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> null;
                default -> throw new IOException("unexpected YAML token " + token);
            };
        }

        /**
         * Anchors, aliases and tags are refused rather than read: the streaming parser would hand an
         * alias over as the plain string of its anchor's name, so {@code denyPaths: *deny} would
         * silently deny nothing.
         */
        private boolean plain(YAMLParser p, String path) throws IOException {
            String refused = null;
            if (p.isCurrentAlias()) {
                refused = "is an alias (*" + p.getText() + "); aliases and anchors are not supported: write the value out";
            } else if (p.getObjectId() != null) {
                refused = "has an anchor (&" + p.getObjectId()
                        + "); anchors and aliases are not supported: write the value out where it is used";
            } else if (p.getTypeId() != null) {
                refused = "has a tag (" + p.getTypeId() + "); tags are not supported: write the plain value";
            }
            if (refused != null) {
                problems.add(new Problem(where(p), path.isEmpty() ? "(root)" : path, refused));
                leftOut = true;
            }
            return refused == null;
        }

        private Map<String, Object> map(JsonParser p, String path) throws IOException {
            Map<String, Object> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                String keyPath = path.isEmpty() ? key : path + "." + key;
                String at = where(p);
                p.nextToken();
                if (map.containsKey(key)) {
                    problems.add(new Problem(at, keyPath, "is given twice in the same map"));
                }
                if (key.equals("<<")) {
                    problems.add(new Problem(at, keyPath, "merge keys (<<) are not supported: write the keys out"));
                    leftOut = true;
                    p.skipChildren();
                    continue;
                }
                locations.put(keyPath, at);
                map.put(key, value(p, keyPath));
            }
            return map;
        }

        private List<Object> list(JsonParser p, String path) throws IOException {
            List<Object> list = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(value(p, path + "[" + list.size() + "]"));
            }
            return list;
        }

        private String where(JsonParser p) {
            JsonLocation at = p.currentTokenLocation();
            return fileName + ":" + at.getLineNr() + ":" + at.getColumnNr();
        }
    }
}
