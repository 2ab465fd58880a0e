/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mock-broker: a one-broker Kafka cluster on librdkafka's mock cluster,
 * used as the peer when capturing what real clients send.
 *
 * Usage: mock-broker [--debug] TOPIC[:PARTITIONS] ...
 *
 * Creates each TOPIC (1 partition unless given, replication factor 1),
 * prints the bootstrap address ("127.0.0.1:PORT") on a line of its own on
 * stdout, then runs until stdin reaches end of file or SIGTERM/SIGINT
 * arrives.  --debug turns on librdkafka's "mock" debug context (stderr).
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void
on_signal (int signum)
{
  (void) signum;
  stop_requested = 1;
}

static int
install_signal_handlers (void)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof (sa));
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);

  if (sigaction (SIGTERM, &sa, NULL) != 0 ||
      sigaction (SIGINT, &sa, NULL) != 0)
    return -1;

  /* A closed stdout must not kill us before the cleanup runs. */
  sa.sa_handler = SIG_IGN;
  return sigaction (SIGPIPE, &sa, NULL);
}

static int
parse_topic (const char  *arg,
             char       **name_out,
             int         *partitions_out)
{
  const char *colon = strrchr (arg, ':');
  size_t name_len = colon != NULL ? (size_t) (colon - arg) : strlen (arg);
  long partitions = 1;

  if (name_len == 0)
    return -1;

  if (colon != NULL)
    {
      char *end = NULL;

      errno = 0;
      partitions = strtol (colon + 1, &end, 10);
      if (errno != 0 || end == colon + 1 || *end != '\0' ||
          partitions < 1 || partitions > 1000)
        return -1;
    }

  *name_out = strndup (arg, name_len);
  if (*name_out == NULL)
    return -1;
  *partitions_out = (int) partitions;
  return 0;
}

/* Waits for EOF on stdin or a signal.  Returns 0 on a clean stop. */
static int
wait_for_stop (void)
{
  int stdin_open = 1;

  while (!stop_requested)
    {
      struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
      int n;

      if (!stdin_open)
        {
          /* Only a signal can stop us now. */
          pause ();
          continue;
        }

      n = poll (&pfd, 1, 500);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          perror ("mock-broker: poll");
          return -1;
        }

      if (n > 0)
        {
          char buf[256];
          ssize_t got = read (STDIN_FILENO, buf, sizeof (buf));

          if (got == 0)
            return 0;
          if (got < 0 && errno != EINTR && errno != EAGAIN)
            {
              /* stdin was never usable (e.g. /dev/null closed): rely on
               * signals from here on. */
              if (errno == EBADF)
                stdin_open = 0;
              else
                return 0;
            }
        }
    }

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  rd_kafka_mock_cluster_t *mcluster;
  char errstr[512];
  int debug = 0;
  int first_topic = 1;
  int status = EXIT_SUCCESS;

  if (argc > 1 && strcmp (argv[1], "--debug") == 0)
    {
      debug = 1;
      first_topic = 2;
    }

  if (argc > 1 && (strcmp (argv[1], "--help") == 0 ||
                   strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: %s [--debug] TOPIC[:PARTITIONS] ...\n", argv[0]);
      return EXIT_SUCCESS;
    }

  if (install_signal_handlers () != 0)
    {
      perror ("mock-broker: sigaction");
      return EXIT_FAILURE;
    }

  conf = rd_kafka_conf_new ();
  /* Without --debug, hide the notice about the missing bootstrap.servers:
   * this handle never connects anywhere. */
  if (rd_kafka_conf_set (conf, debug ? "debug" : "log_level",
                         debug ? "mock" : "4", errstr,
                         sizeof (errstr)) != RD_KAFKA_CONF_OK)
    {
      fprintf (stderr, "mock-broker: %s\n", errstr);
      rd_kafka_conf_destroy (conf);
      return EXIT_FAILURE;
    }

  /* The handle only hosts the mock cluster's thread; it never connects. */
  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof (errstr));
  if (rk == NULL)
    {
      fprintf (stderr, "mock-broker: rd_kafka_new: %s\n", errstr);
      return EXIT_FAILURE;
    }

  mcluster = rd_kafka_mock_cluster_new (rk, 1);
  if (mcluster == NULL)
    {
      fprintf (stderr, "mock-broker: could not create the mock cluster\n");
      rd_kafka_destroy (rk);
      return EXIT_FAILURE;
    }

  for (int i = first_topic; i < argc; i++)
    {
      char *name = NULL;
      int partitions = 1;
      rd_kafka_resp_err_t err;

      if (parse_topic (argv[i], &name, &partitions) != 0)
        {
          fprintf (stderr, "mock-broker: bad topic argument '%s'\n", argv[i]);
          status = EXIT_FAILURE;
          goto out;
        }

      err = rd_kafka_mock_topic_create (mcluster, name, partitions, 1);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          fprintf (stderr, "mock-broker: creating topic '%s': %s\n",
                   name, rd_kafka_err2str (err));
          free (name);
          status = EXIT_FAILURE;
          goto out;
        }
      free (name);
    }

  printf ("%s\n", rd_kafka_mock_cluster_bootstraps (mcluster));
  fflush (stdout);

  if (wait_for_stop () != 0)
    status = EXIT_FAILURE;

out:
  rd_kafka_mock_cluster_destroy (mcluster);
  rd_kafka_destroy (rk);
  return status;
}
