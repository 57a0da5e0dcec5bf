/**
 * The router: the protocol-neutral core that bridges canonical events between adapters.
 *
 * <ul>
 * <li>{@link org.bridgeappliance.core.router.Router}: acceptance (echo guard, room lookup, de-duplication,
 *     outbox), lifecycle, adapter health; the public API.</li>
 * <li>{@code RoomPipeline}: one serial queue per bridged room on a shared, bounded pool (order within a room,
 *     concurrency across rooms, no thread per room; idle queues are released).</li>
 * <li>{@code DeliveryJob}: delivery of one accepted event to every other portal: reference resolution at
 *     delivery time, retries with backoff and jitter, waiting for a disconnected network, report-back,
 *     message-map and reaction bookkeeping, outbox marks.</li>
 * <li>{@link org.bridgeappliance.core.router.FallbackPolicy}: every capability fallback, pure and
 *     table-tested; {@link org.bridgeappliance.core.router.BodySplitter}: UTF-8-safe splitting.</li>
 * <li>{@code PresenceDispatcher}: presence fan-out, latest wins, not durable.</li>
 * <li>{@code RecentTextCache}: first lines of recent messages for the reply quote fallback (memory only).</li>
 * </ul>
 *
 * Glossary: a <em>bridged room</em> is one conversation; each network's side of it is a <em>portal</em>; the
 * <em>origin</em> portal is where an event was sent; a <em>puppet</em> is a person's stand-in on another
 * network; a <em>canonical message id</em> names one message across all its copies.
 */
package org.bridgeappliance.core.router;
