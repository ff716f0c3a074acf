package dev.sandpool.api;

import dev.sandpool.files.SessionFiles;
import java.net.URLConnection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * File metadata in each contract's shape. Maps keep Azure's field order; {@code $id}s are numbered
 * depth-first as Newtonsoft does.
 */
public final class FileShapes {
    /** .NET's round-trip format has 7 fractional digits; SK .NET parses it as DateTime. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private FileShapes() {}

    public static String time(Instant instant) {
        return TIME.format(instant);
    }

    /** V1: {@code {"$id":"1","value":[{"$id":"2","properties":{"$id":"3","filename","size","lastModifiedTime"}}]}}. */
    public static Map<String, Object> v1List(List<SessionFiles.Entry> entries) {
        List<Object> value = new ArrayList<>();
        int id = 2;
        for (SessionFiles.Entry e : entries) {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("$id", Integer.toString(id + 1));
            properties.put("filename", e.path().relative());
            properties.put("size", e.size());
            properties.put("lastModifiedTime", time(e.lastModified()));
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("$id", Integer.toString(id));
            item.put("properties", properties);
            value.add(item);
            id += 2;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("$id", "1");
        body.put("value", value);
        return body;
    }

    /** Legacy {@code python/files} and {@code python/uploadFile}: {@code {"$id":"1","$values":[{...}]}}. */
    public static Map<String, Object> legacyList(List<SessionFiles.Entry> entries) {
        List<Object> values = new ArrayList<>();
        int id = 2;
        for (SessionFiles.Entry e : entries) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("$id", Integer.toString(id++));
            item.put("filename", e.path().relative());
            item.put("size", e.size());
            item.put("lastModifiedTime", time(e.lastModified()));
            values.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("$id", "1");
        body.put("$values", values);
        return body;
    }

    /** One V2 entry; {@code directory} is the parent relative to the listed directory ("" at its top). */
    public static Map<String, Object> v2Entry(SessionFiles.Entry e, String directory, String id) {
        Map<String, Object> entry = new LinkedHashMap<>();
        if (id != null) {
            entry.put("$id", id);
        }
        entry.put("name", e.path().name());
        entry.put("type", e.directory() ? "directory" : "file");
        entry.put("contentType", e.directory() ? "" : contentType(e.path().name()));
        entry.put("sizeInBytes", e.size());
        entry.put("lastModifiedAt", time(e.lastModified()));
        if (directory != null) {
            entry.put("directory", directory);
        }
        return entry;
    }

    public static Map<String, Object> v2List(List<SessionFiles.Entry> entries, dev.sandpool.files.SessionPath listed) {
        List<Object> value = new ArrayList<>();
        int id = 2;
        int depth = listed.components().size();
        for (SessionFiles.Entry e : entries) {
            List<String> parent = e.path().parent().components();
            String directory = String.join("/", parent.subList(Math.min(depth, parent.size()), parent.size()));
            value.add(v2Entry(e, directory, Integer.toString(id++)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("$id", "1");
        body.put("value", value);
        body.put("nextLink", null);
        return body;
    }

    public static String contentType(String name) {
        String type = URLConnection.getFileNameMap().getContentTypeFor(name);
        if (type == null) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.endsWith(".csv")) {
                type = "text/csv";
            } else if (lower.endsWith(".json")) {
                type = "application/json";
            } else if (lower.endsWith(".py") || lower.endsWith(".md") || lower.endsWith(".log")) {
                type = "text/plain";
            } else {
                return "application/octet-stream";
            }
        }
        return type.startsWith("text/") ? type + "; charset=utf-8" : type;
    }
}
