/**
 * The running process: {@code run} and {@code inetd}, reloading on SIGHUP, draining on SIGTERM
 * and SIGINT.
 */
package org.protowrap.engine.runtime;
