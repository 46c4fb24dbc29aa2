/**
 * What goes wrong in a request, without the web framework: RFC 9457 problem bodies and the exceptions services
 * throw for input a caller can fix or a conflicting state. The REST layer ({@code api.ProblemMappers}) turns them
 * into responses; no package here imports a package above it.
 */
package io.canaryjudge.problem;
