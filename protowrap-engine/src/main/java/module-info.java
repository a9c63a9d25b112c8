import org.protowrap.engine.demo.DemoProvider;
import org.protowrap.engine.line.LineValidatorProvider;
import org.protowrap.spi.BalancerProvider;
import org.protowrap.spi.ValidatorProvider;

/**
 * The ProtoWrap engine: configuration, plugin discovery, I/O, the command line, and the
 * built-in {@code line} validator (the base rule: line length). It knows no other protocol:
 * {@code protowrap demo} finds its backends and suggestions through {@link DemoProvider}.
 */
module org.protowrap.engine {
    requires org.protowrap.api;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.dataformat.yaml;
    // the YAML parser's own syntax errors carry the marks (line, column) check reports
    requires org.yaml.snakeyaml;
    requires org.slf4j;
    // logLevel sets logback's levels directly; the engine still logs only through slf4j.
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    // sun.misc.Signal: SIGHUP reloads, SIGTERM drains; the JDK has no supported API for either
    requires jdk.unsupported;
    // the admin endpoint (status page, metrics, control) is the JDK's small HTTP server
    requires jdk.httpserver;

    // the service interface a demo module implements; nothing else of the engine is API
    exports org.protowrap.engine.demo;
    // logback builds the image's console appender (conf/logback.xml) from its class name
    exports org.protowrap.engine.logging to ch.qos.logback.core;

    uses ValidatorProvider;
    uses BalancerProvider;
    uses DemoProvider;

    provides ValidatorProvider with LineValidatorProvider;
}
