package dev.sandpool.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code sandpool session ...}: one session's code and files on the data plane, like {@code az containerapp session}. */
@Command(name = "session", mixinStandardHelpOptions = true,
        description = "Run code in a session and manage its files under /mnt/data.",
        subcommands = {SessionCommands.Exec.class, SessionCommands.Upload.class, SessionCommands.Download.class,
                SessionCommands.ListFiles.class, SessionCommands.DeleteFile.class, SessionCommands.Stop.class})
final class SessionCommands {
    /** Status of {@code session exec} when the code ran and failed, apart from 1 (the call failed) and 2 (usage). */
    static final int CODE_FAILED = 3;

    /** {@code --pool} and {@code --identifier}, which every session command takes. */
    abstract static class SessionCommand extends ClientCommand {
        @Option(names = "--pool", required = true, paramLabel = "POOL", description = "pool name")
        String pool;

        @Option(names = {"--identifier", "-i"}, required = true, paramLabel = "ID",
                description = "session identifier (the first call with a new one allocates a session)")
        String identifier;

        /** {@code /pools/{pool}/{route}?identifier=...&api-version=...}; {@code route} is already encoded. */
        String url(String route, String apiVersion) {
            return "/pools/" + Urls.encode(pool) + "/" + route + "?identifier=" + Urls.encode(identifier)
                    + "&api-version=" + apiVersion;
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Run code in a session. Python and Node pools use the V1 code/execute route; Shell pools",
                    "(--shell, or found by asking the management API for the pool's type) run it with bash through V2.",
                    "Exits with 3 when the code fails (an exception, or a shell command's non-zero status)."})
    static final class Exec extends SessionCommand {
        @Option(names = "--code", paramLabel = "CODE", description = "the code to run")
        String code;

        @Option(names = "--file", paramLabel = "PATH", description = "read the code from a file ('-' for stdin)")
        String file;

        @Option(names = "--timeout-in-seconds", paramLabel = "N", description = "execution timeout (server default 60, at most 220)")
        Integer timeoutInSeconds;

        @Option(names = "--shell", description = "the pool is a Shell pool: run the code as a bash command (skips the type lookup)")
        boolean shell;

        @Override
        int run(ApiClient api, Output output) {
            String source = source();
            Duration httpTimeout = Duration.ofSeconds((timeoutInSeconds == null ? 220 : timeoutInSeconds) + 30L);
            boolean asShell = shell || isShellPool(api);
            ObjectNode body = Output.JSON.createObjectNode();
            JsonNode response;
            if (asShell) {
                body.put("shellCommand", source);
                if (timeoutInSeconds != null) {
                    body.put("timeoutInSeconds", timeoutInSeconds.intValue());
                }
                response = api.send("POST", url("executions", ApiClient.V2), json(body), "application/json", httpTimeout).json();
            } else {
                ObjectNode p = body.putObject("properties").put("codeInputType", "inline")
                        .put("executionType", "synchronous").put("code", source);
                if (timeoutInSeconds != null) {
                    p.put("timeoutInSeconds", timeoutInSeconds.intValue());
                }
                response = api.send("POST", url("code/execute", ApiClient.V1), json(body), "application/json", httpTimeout)
                        .json();
            }
            // V1: properties.{status,stdout,stderr,result}; V2 shell: status is the exit code, output under result.
            JsonNode props = asShell ? response.path("result") : response.path("properties");
            String status = Output.cell(asShell ? response.path("status") : props.path("status"));
            boolean failed = asShell ? !status.equals("0") : status.equalsIgnoreCase("Failure");
            if (output.table()) {
                printReadably(output, status, asShell, props);
            } else {
                output.json(response);
            }
            return failed ? CODE_FAILED : 0;
        }

        private String source() {
            if ((code == null) == (file == null)) {
                throw CliException.usage("give the code with exactly one of --code CODE or --file PATH (--file - reads stdin)");
            }
            if (code != null) {
                return code;
            }
            try {
                return file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("LocalFileError", "cannot read " + file + ": " + e.getMessage(), CliException.FAILED);
            }
        }

        /**
         * Shell pools take {@code shellCommand} on V2 only. The pool's type comes from the management
         * API; when that lookup fails (no such pool, no management API) the V1 call goes ahead and
         * reports the real error.
         */
        private boolean isShellPool(ApiClient api) {
            try {
                return api.json("GET", PoolCommands.path(pool), null).path("properties").path("containerType")
                        .asString("").equalsIgnoreCase("Shell");
            } catch (CliException e) {
                return false;
            }
        }

        private static void printReadably(Output output, String status, boolean shell, JsonNode props) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("status", shell ? status + " (exit code)" : status));
            rows.add(List.of("time", Output.cell(props.path("executionTimeInMilliseconds")) + " ms"));
            if (!shell) {
                rows.add(List.of("result", result(props.path("result"))));
            }
            StringBuilder text = new StringBuilder(Output.render(List.of("FIELD", "VALUE"), rows));
            for (String stream : List.of("stdout", "stderr")) {
                String value = Output.cell(props.path(stream));
                if (!value.isEmpty()) {
                    text.append("--- ").append(stream).append(" ---\n").append(value);
                    if (!value.endsWith("\n")) {
                        text.append('\n');
                    }
                }
            }
            output.text(text.toString());
        }

        /** An image result is summarised: its base64 would fill the terminal. */
        private static String result(JsonNode result) {
            if (result.isObject() && result.path("type").asString("").equals("image")) {
                return "<image " + result.path("format").asString("") + ", "
                        + result.path("base64_data").asString("").length() + " base64 characters; see --output json>";
            }
            return Output.cell(result);
        }
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, description = "Upload a local file into the session's /mnt/data.")
    static final class Upload extends SessionCommand {
        @Option(names = "--file", required = true, paramLabel = "LOCAL", description = "the local file")
        Path file;

        @Option(names = "--path", paramLabel = "REMOTE",
                description = "where to put it, relative to /mnt/data (default: the local file's name); may hold directories")
        String path;

        @Override
        int run(ApiClient api, Output output) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new CliException("LocalFileError", "cannot read " + file, CliException.FAILED);
            }
            String remote = Urls.remotePath(path != null ? path : file.getFileName().toString());
            Multipart multipart = new Multipart();
            JsonNode response = api.send("POST", url("files/upload", ApiClient.V1), multipart.body(file, remote),
                    multipart.contentType(), null).json();
            printFiles(output, response);
            return 0;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download a file from the session's /mnt/data, to a file or to stdout (raw bytes).")
    static final class Download extends SessionCommand {
        @Option(names = "--filename", required = true, paramLabel = "REMOTE", description = "the file, relative to /mnt/data")
        String filename;

        @Option(names = "--output-file", paramLabel = "LOCAL", description = "write it here instead of stdout")
        Path outputFile;

        @Override
        int run(ApiClient api, Output output) {
            String remote = Urls.remotePath(filename);
            String route = "files/content/" + Urls.encodePath(remote);
            if (outputFile == null) {
                // Raw bytes go to the process's stdout stream: picocli's writer is for text and would mangle binaries.
                try (InputStream in = api.download(url(route, ApiClient.V1), null)) {
                    PrintStream stdout = System.out;
                    in.transferTo(stdout);
                    stdout.flush();
                } catch (IOException e) {
                    throw new CliException("DownloadFailed", "reading " + remote + " failed: " + e.getMessage(), CliException.FAILED);
                }
                return 0;
            }
            long size = toFile(api.download(url(route, ApiClient.V1), null), remote);
            if (output.table()) {
                output.line("wrote " + size + " bytes to " + outputFile);
            } else {
                output.json(Output.JSON.createObjectNode().put("filename", remote)
                        .put("outputFile", outputFile.toAbsolutePath().toString()).put("size", size));
            }
            return 0;
        }

        /** Through a temporary file next to the target, so that a broken transfer leaves the target as it was. */
        private long toFile(InputStream body, String remote) {
            Path target = outputFile.toAbsolutePath();
            Path partial = null;
            try (InputStream in = body) {
                partial = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
                long size;
                try (OutputStream out = Files.newOutputStream(partial)) {
                    size = in.transferTo(out);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return size;
            } catch (IOException e) {
                throw new CliException("DownloadFailed", "downloading " + remote + " to " + outputFile + " failed: " + e,
                        CliException.FAILED);
            } finally {
                if (partial != null) {
                    try {
                        Files.deleteIfExists(partial);
                    } catch (IOException ignored) {
                        // best effort: the error that matters is reported above
                    }
                }
            }
        }
    }

    @Command(name = "list-files", mixinStandardHelpOptions = true,
            description = "List the session's files (nested ones as sub/a.txt).")
    static final class ListFiles extends SessionCommand {
        @Option(names = "--path", paramLabel = "DIR", description = "only under this directory, relative to /mnt/data")
        String path;

        @Override
        int run(ApiClient api, Output output) {
            String url = url("files", ApiClient.V1);
            if (path != null && !path.isEmpty() && !path.equals("/mnt/data")) {
                url += "&path=" + Urls.encode(Urls.remotePath(path));
            }
            printFiles(output, api.json("GET", url, null));
            return 0;
        }
    }

    @Command(name = "delete-file", mixinStandardHelpOptions = true, description = "Delete a file from the session's /mnt/data.")
    static final class DeleteFile extends SessionCommand {
        @Option(names = "--filename", required = true, paramLabel = "REMOTE", description = "the file, relative to /mnt/data")
        String filename;

        @Override
        int run(ApiClient api, Output output) {
            String remote = Urls.remotePath(filename);
            api.send("DELETE", url("files/" + Urls.encodePath(remote), ApiClient.V1), HttpRequest.BodyPublishers.noBody(),
                    null, null);
            if (output.table()) {
                output.line("deleted " + remote);
            } else {
                output.json(Output.JSON.createObjectNode().put("filename", remote).put("deleted", true));
            }
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop a session and delete its files; the identifier's next call gets a new session.")
    static final class Stop extends SessionCommand {
        @Override
        int run(ApiClient api, Output output) {
            String message = api.send("POST", url(".management/stopSession", ApiClient.V2),
                    HttpRequest.BodyPublishers.noBody(), null, null).text().strip();
            if (output.table()) {
                output.line(message);
            } else {
                output.json(Output.JSON.createObjectNode().put("identifier", identifier).put("stopped", true)
                        .put("message", message));
            }
            return 0;
        }
    }

    private static HttpRequest.BodyPublisher json(JsonNode body) {
        return HttpRequest.BodyPublishers.ofString(body.toString());
    }

    /** V1's file list: the JSON as is, or NAME/SIZE/MODIFIED columns. */
    private static void printFiles(Output output, JsonNode response) {
        if (!output.table()) {
            output.json(response);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode entry : response.path("value")) {
            JsonNode p = entry.path("properties");
            rows.add(List.of(Output.cell(p.path("filename")), Output.cell(p.path("size")), Output.cell(p.path("lastModifiedTime"))));
        }
        output.table(List.of("NAME", "SIZE", "MODIFIED"), rows);
    }
}
