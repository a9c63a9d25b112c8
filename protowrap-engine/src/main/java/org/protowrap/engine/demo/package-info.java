/**
 * The service {@code protowrap demo} looks up: a {@link org.protowrap.engine.demo.DemoProvider}
 * supplies the demo configuration, its backends and what to try. The only package the engine
 * exports.
 */
package org.protowrap.engine.demo;
