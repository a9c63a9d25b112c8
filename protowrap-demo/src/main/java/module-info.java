import org.protowrap.demo.Demo;
import org.protowrap.engine.demo.DemoProvider;

/**
 * The demo {@code protowrap demo} starts: HTTP backends and an SMTP sink on loopback, the
 * configuration that puts wrappers in front of them, and what to try. The engine finds it as a
 * {@link DemoProvider}; the runtime image links it beside the engine. It exports nothing.
 */
module org.protowrap.demo {
    requires org.protowrap.engine;
    // the two web backends are the JDK's small HTTP server
    requires jdk.httpserver;

    provides DemoProvider with Demo;
}
