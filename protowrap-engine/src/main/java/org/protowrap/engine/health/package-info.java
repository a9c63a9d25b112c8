/**
 * Backend health: the state of each backend (up or down), the rise and fall counting that moves
 * it, and the registry that keeps it across reloads. No I/O here: the relay runs the active
 * checks and reports what it sees.
 */
package org.protowrap.engine.health;
