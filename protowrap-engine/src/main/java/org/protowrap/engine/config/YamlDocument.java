package org.protowrap.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.protowrap.api.Problem;

/**
 * A YAML file read into plain values (maps, lists, strings, numbers, booleans) together with
 * where each key and list element stands, so that every later message can name file, line and
 * column. Jackson's tree model drops locations, hence this small streaming reader.
 *
 * <p>Limits: one document per file; a key repeated in one map is an error rather than "last one
 * wins".
 */
public final class YamlDocument {

    private final String fileName;
    private final Object root;
    private final Map<String, String> locations;
    private final List<Problem> problems;

    private YamlDocument(String fileName, Object root, Map<String, String> locations, List<Problem> problems) {
        this.fileName = fileName;
        this.root = root;
        this.locations = locations;
        this.problems = problems;
    }

    /** Reads YAML text; syntax errors become problems rather than exceptions. */
    public static YamlDocument parse(String fileName, String text) {
        Reader reader = new Reader(fileName);
        Object root = null;
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            if (parser.nextToken() != null) {
                root = reader.value(parser, "");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? fileName : fileName + ":" + at.getLineNr() + ":" + at.getColumnNr();
            reader.problems.add(new Problem(where, "(syntax)", e.getOriginalMessage()));
        } catch (IOException e) {
            reader.problems.add(new Problem(fileName, "(file)", e.getMessage()));
        }
        return new YamlDocument(fileName, root, reader.locations, reader.problems);
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

    /** Syntax errors and repeated keys. */
    public List<Problem> problems() {
        return problems;
    }

    private static final class Reader {
        private final String fileName;
        private final Map<String, String> locations = new HashMap<>();
        private final List<Problem> problems = new ArrayList<>();

        Reader(String fileName) {
            this.fileName = fileName;
        }

        Object value(JsonParser p, String path) throws IOException {
            JsonToken token = p.currentToken();
            locations.putIfAbsent(path, where(p));
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
