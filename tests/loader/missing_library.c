/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A library one fake Unix side needs and test_bridge_loader never puts beside it. */
int iphlp_test_missing(void) { return 0; }
