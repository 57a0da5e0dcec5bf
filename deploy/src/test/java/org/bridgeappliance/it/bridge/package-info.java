/**
 * Cross-network end-to-end tests: XMPP users (Smack) and Matrix users (plain HTTP) talking through the RUNNING
 * appliance of the sandbox with real Prosody and Synapse.
 *
 * <ul>
 *   <li>{@code MucMappingIT}: a Matrix room mapped to a MUC through the admin API; messages both ways with puppets,
 *       edits, replies, retractions, reactions, typing, read markers, images, presence.</li>
 *   <li>{@code DirectChatIT}: 1:1 chats opened from either side; corrections, typing, presence.</li>
 *   <li>{@code GatewayIT}: an XMPP user joins {@code #alias%matrix.test@matrix.xmpp.test}.</li>
 *   <li>{@code ReliabilityIT}: Synapse stopped for 30 s; the appliance SIGKILLed mid-conversation; a transaction
 *       replayed across a restart. Restores the sandbox in finally blocks (see {@code SandboxControl}).</li>
 * </ul>
 *
 * <p>Run: {@code mvn -o -pl deploy verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test='org.bridgeappliance.it.bridge.*IT'} with the sandbox up ({@code deploy/sandbox.sh up}); about 1.5–2
 * minutes, most of it ReliabilityIT waiting for the outages and Synapse's retries. Every account, MUC and room is
 * named with {@code Sandbox.uniqueName}; mappings created through the admin API are deleted afterwards. Known gaps and
 * the bugs these tests found: the Matrix adapter issue's closing note.
 */
package org.bridgeappliance.it.bridge;
