/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mock-cluster.c: a third-party Kafka-protocol broker for tests: starts
 * librdkafka's mock cluster (rd_kafka_mock_cluster_new, Debian's
 * librdkafka-dev), creates the topics named on the command line
 * (NAME:PARTITIONS), prints its bootstrap servers on one line, and runs
 * until stdin closes. The client library is tested against it so that it
 * is not tuned to caudald alone. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

int
main (int   argc,
      char *argv[])
{
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new ();
  rd_kafka_t *rk;
  rd_kafka_mock_cluster_t *mcluster;
  int c;

  /* The mock cluster lives inside a client handle; it is never used. */
  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL)
    {
      fprintf (stderr, "mock-cluster: %s\n", errstr);
      return 1;
    }
  mcluster = rd_kafka_mock_cluster_new (rk, 1);
  if (mcluster == NULL)
    {
      fprintf (stderr, "mock-cluster: cannot create the mock cluster\n");
      rd_kafka_destroy (rk);
      return 1;
    }
  for (int i = 1; i < argc; i++)
    {
      char *name = strdup (argv[i]);
      char *colon = strchr (name, ':');
      int partitions = 1;

      if (colon != NULL)
        {
          *colon = '\0';
          partitions = atoi (colon + 1);
        }
      if (rd_kafka_mock_topic_create (mcluster, name, partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR)
        {
          fprintf (stderr, "mock-cluster: cannot create topic %s\n", name);
          free (name);
          return 1;
        }
      free (name);
    }
  printf ("%s\n", rd_kafka_mock_cluster_bootstraps (mcluster));
  fflush (stdout);
  while ((c = getchar ()) != EOF)
    ;
  rd_kafka_mock_cluster_destroy (mcluster);
  rd_kafka_destroy (rk);
  return 0;
}
