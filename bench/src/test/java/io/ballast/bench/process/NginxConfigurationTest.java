package io.ballast.bench.process;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class NginxConfigurationTest {

    @Test
    void nginxBalancesByLeastConnectionsOverKeepAliveAndWritesOnlyInItsDirectory() {
        String conf = Nginx.configuration("127.9.9.5", 20000,
                List.of(URI.create("http://127.9.9.2:20001"), URI.create("http://127.9.9.3:20002")),
                Path.of("/tmp/nginx-here"));
        assertTrue(conf.contains("least_conn;"), conf);
        assertTrue(conf.contains("server 127.9.9.2:20001;") && conf.contains("server 127.9.9.3:20002;"), conf);
        assertTrue(conf.contains("keepalive 64;"), conf);
        assertTrue(conf.contains("proxy_http_version 1.1;"), conf);
        assertTrue(conf.contains("proxy_set_header Connection \"\";"), conf);
        assertTrue(conf.contains("listen 127.9.9.5:20000;"), conf);
        assertTrue(conf.contains("daemon off;") && conf.contains("access_log off;"), conf);
        List<String> paths = conf.lines().map(String::trim)
                .filter(line -> line.matches("(pid|error_log|\\w+_temp_path) .*")).toList();
        assertTrue(paths.size() == 7, "pid, error log and five temp paths: " + paths);
        for (String line : paths) {
            assertTrue(line.contains(" /tmp/nginx-here/"), "a path outside nginx's directory: " + line);
        }
    }
}
