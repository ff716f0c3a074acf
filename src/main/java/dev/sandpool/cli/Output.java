package dev.sandpool.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** What a command prints on stdout: indented JSON (the default, for scripts) or aligned columns (for people). */
final class Output {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    enum Format { json, table }

    private final PrintWriter out;
    private final Format format;

    Output(PrintWriter out, Format format) {
        this.out = out;
        this.format = format;
    }

    boolean table() {
        return format == Format.table;
    }

    void json(JsonNode node) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    void text(String text) {
        out.print(text);
        out.flush();
    }

    void table(List<String> headers, List<List<String>> rows) {
        text(render(headers, rows));
    }

    /** A JSON array: a table with a row per item, or the array itself as JSON. */
    void items(JsonNode items, List<String> headers, java.util.function.Function<JsonNode, List<String>> row) {
        if (table()) {
            List<List<String>> rows = new ArrayList<>();
            items.forEach(item -> rows.add(row.apply(item)));
            table(headers, rows);
        } else {
            json(items);
        }
    }

    /** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
    static String render(List<String> headers, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        int[] widths = new int[headers.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    /** A JSON value as a table cell: strings bare, missing and null as empty. */
    static String cell(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "";
        }
        return node.isString() ? node.asString() : node.toString();
    }
}
