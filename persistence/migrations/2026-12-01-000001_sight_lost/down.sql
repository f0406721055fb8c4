DROP TABLE sight_lost;
