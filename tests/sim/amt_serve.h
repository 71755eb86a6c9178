/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_serve: amtsim --serve, the simulator's fake AMT alone on real
 * sockets, for clients this project did not write. */
#ifndef AMTSIM_AMT_SERVE_H
#define AMTSIM_AMT_SERVE_H

/* Runs amtsim --serve with argv[0] == "--serve"; returns the exit status. */
int amt_serve_main(int argc, char **argv);

#endif
