/** {@code protowrap demo}: small loopback backends and a configuration to try the wrapper with. */
package org.protowrap.engine.demo;
