/** What the engine asks of the operating system beyond the JDK: switching users after binding. */
package org.protowrap.engine.system;
